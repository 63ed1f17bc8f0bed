/**
 * An append-only journal beside results.json: one line per finished pair, appended the moment
 * the pair's output is renamed into place. results.json is rewritten only every few pairs and
 * seconds (rewriting it per pair would cost O(pairs^2)), so after a `kill -9` the journal holds
 * the pairs finished since its last save and `--resume` loses only the pairs that were in
 * flight. A torn last line (killed mid-append) is ignored. The journal is removed once the
 * final results.json is written.
 */
import { appendFile, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { PairRecord } from './results.ts';

export function journalPath(resultsFile: string): string {
  return path.join(path.dirname(resultsFile), `.${path.basename(resultsFile)}.journal`);
}

export class Journal {
  private chain: Promise<void> = Promise.resolve();
  private ready: Promise<unknown>;

  constructor(readonly file: string) {
    // Handled here: a folder that cannot be made must not be an unhandled rejection (appends then fail quietly).
    this.ready = mkdir(path.dirname(file), { recursive: true }).catch(() => {});
  }

  /** Appends a record; appends are serialised so lines never interleave. */
  append(record: PairRecord): Promise<void> {
    const line = `${JSON.stringify(record)}\n`;
    this.chain = this.chain.then(() => this.ready).then(() => appendFile(this.file, line)).catch(() => {});
    return this.chain;
  }

  async remove(): Promise<void> {
    await this.chain;
    await rm(this.file, { force: true });
  }
}

/** Reads the records of a journal left by a killed run (none when there is no journal). */
export async function readJournal(file: string): Promise<PairRecord[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const records: PairRecord[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      const r = JSON.parse(line) as PairRecord;
      if (r && typeof r.person === 'string' && typeof r.garment === 'string') records.push(r);
    } catch {
      // The line being written when the process was killed.
    }
  }
  return records;
}
