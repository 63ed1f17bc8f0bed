/**
 * `tryon batch --workers N`: N processes, each running its part of the pairs.
 *
 * Pairs already render in worker threads (src/render/pool.ts), so one process uses every core
 * for renders; processes add parallel analyses (onnxruntime-node runs `session.run`
 * synchronously on the JavaScript thread), at N times the models' memory. Each process gets
 * its share of the render threads.
 *
 * Each worker is `tryon batch` itself with `--worker k/N --json` added: it takes the k-th
 * contiguous part of the (shard's) pair list, so it analyses only its own persons, and writes
 * `results[.shard-i-of-n].worker-k-of-N.json`. This process relays their events, forwards
 * Ctrl-C / SIGTERM once (workers run in their own process group so that a terminal's Ctrl-C
 * does not reach them twice), then merges their results into the one results file.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { mergeWorkerResults } from '../batch/merge.ts';
import type { BatchPlan } from '../batch/plan.ts';
import type { Prepared } from '../batch/prepare.ts';
import { resultsFileName } from '../batch/results.ts';
import { batchSummary, type BatchEvent, type BatchSummary } from '../batch/runner.ts';
import type { Reporter } from './batch-report.ts';

const BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'tryon.js');

export async function runWorkers(input: {
  plan: BatchPlan;
  prepared: Prepared;
  workers: number;
  /** The command line of this batch (process.argv.slice(2)); each worker gets it plus its part. */
  argv: string[];
  /** Pairs in flight per worker. */
  concurrency: number;
  /** Render worker threads of each process. */
  threads: number;
  reporter: Reporter;
}): Promise<BatchSummary> {
  const { plan, prepared, reporter } = input;
  const started = performance.now();
  const todo = plan.pairs.length - prepared.skip.size;
  reporter.event({
    type: 'start',
    out: plan.outDir,
    shard: plan.shard,
    total: plan.totalPairs,
    pairs: plan.pairs.length,
    skipped: prepared.skip.size,
    toRender: todo,
    persons: new Set(plan.pairs.filter((p) => !prepared.skip.has(p.key)).map((p) => p.person.name)).size,
    garments: new Set(plan.pairs.filter((p) => !prepared.skip.has(p.key)).map((p) => p.garment.name)).size,
    concurrency: input.concurrency * input.workers,
  });

  let finished = 0;
  let rendered = 0;
  let interrupted = false;
  const children: ChildProcess[] = [];
  const stderrs: string[] = [];
  const exits = Array.from({ length: input.workers }, (_, i) => {
    const args = [BIN, ...input.argv, '--json', '--worker', `${i + 1}/${input.workers}`, '--concurrency', String(input.concurrency), '--threads', String(input.threads)];
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    children.push(child);
    stderrs.push('');
    let pending = '';
    child.stdout!.on('data', (d: Buffer) => {
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        let e: BatchEvent;
        try {
          e = JSON.parse(line) as BatchEvent;
        } catch {
          continue;
        }
        if (e.type === 'pair-done' || e.type === 'pair-failed') {
          finished++;
          if (e.type === 'pair-done') rendered++;
          reporter.event({ ...e, finished, toRender: todo });
        } else if (e.type === 'summary' && e.interrupted) {
          interrupted = true;
        }
      }
    });
    child.stderr!.on('data', (d: Buffer) => (stderrs[i] += d));
    return new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  });

  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    interrupted = true;
    if (signals === 1) {
      reporter.interrupted(signal);
      for (const c of children) c.kill('SIGINT');
    } else {
      for (const c of children) c.kill('SIGKILL');
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let codes: (number | null)[];
  try {
    codes = await Promise.all(exits);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  codes.forEach((code, i) => {
    // 0, 1 (some pairs failed) and 130 (interrupted) are a worker doing its job; anything else is news.
    if (code !== 0 && code !== 1 && code !== 130 && stderrs[i].trim()) process.stderr.write(`worker ${i + 1}/${input.workers} exited with ${code}:\n${stderrs[i]}`);
  });

  const doc = await mergeWorkerResults(plan, prepared, interrupted);
  const summary = batchSummary(doc.summary, {
    out: plan.outDir,
    results: path.join(plan.outDir, resultsFileName(plan.shard)),
    index: path.join(plan.outDir, 'index.html'),
    rendered,
    interrupted,
    elapsedMs: performance.now() - started,
  });
  reporter.event({ type: 'summary', ...summary });
  return summary;
}
