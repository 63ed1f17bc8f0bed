/**
 * How `tryon batch` reports a run; a subscriber to the library's events, the work never draws.
 * --json: one JSON event per line on stdout, nothing else there (warnings go to stderr).
 * Otherwise, on stderr: a progress bar when stderr is a terminal (a line every 10% when it is a
 * log file), one line per failed pair, and a summary. Also the plan that --dry-run prints.
 */
import path from 'node:path';
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { CatalogEvent, CatalogPlan } from '../batch/catalog.ts';
import type { BatchEvent } from '../batch/events.ts';
import { usedInputs } from '../batch/plan.ts';
import { resultsFileName } from '../batch/results.ts';
import { colours, printWarning } from './output.ts';

/**
 * Lines to stdout, unless its reader went away (`tryon batch --json | head`): then the run goes
 * on and finishes its outputs, results.json and index.html instead of dying on EPIPE.
 */
export class StdoutLines {
  private closed = false;

  constructor() {
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') this.closed = true;
      else throw err;
    });
  }

  write(text: string): void {
    if (!this.closed) process.stdout.write(text);
  }
}

export interface Reporter {
  event(e: CatalogEvent): void;
  interrupted(signal: string): void;
  stop(): void;
}

function seconds(ms: number): string {
  return ms < 100_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function createReporter(options: { json: boolean; colours: ChalkInstance; stdout: StdoutLines; stream?: NodeJS.WriteStream }): Reporter {
  const stream = options.stream ?? process.stderr;
  const c = options.colours;
  const tty = stream.isTTY === true;
  let bar: cliProgressTypes.MultiBar | null = null;
  let single: cliProgressTypes.SingleBar | null = null;
  let started = Date.now();
  let failed = 0;
  let nextTenth = 1;

  const line = (text: string): void => {
    if (bar) bar.log(`${text}\n`);
    else stream.write(`${text}\n`);
  };

  const human = (e: BatchEvent): void => {
    switch (e.type) {
      case 'start': {
        started = Date.now();
        const shard = e.shard ? ` (shard ${e.shard.index}/${e.shard.count}: ${e.pairs} of ${e.total})` : '';
        line(
          `${c.bold('tryon batch')} ${e.toRender} pairs to render${shard}: ${e.persons} persons x ${e.garments} garments` +
            `${e.skipped ? `, ${e.skipped} kept from an earlier run` : ''}, concurrency ${e.concurrency} -> ${e.out}`,
        );
        if (tty && e.toRender > 0) {
          // Loaded when a bar is first drawn (a JSON or dry run draws none).
          const cliProgress = createRequire(import.meta.url)('cli-progress') as typeof cliProgressTypes;
          bar = new cliProgress.MultiBar(
            {
              stream,
              format: `${c.cyan('{bar}')} {percentage}% {value}/{total} pairs | {rate} pairs/s | failed {failed} | ETA {eta_formatted}`,
              hideCursor: true,
              clearOnComplete: true,
              etaBuffer: 50,
            },
            cliProgress.Presets.shades_classic,
          );
          single = bar.create(e.toRender, 0, { rate: '0.0', failed: 0 });
        }
        break;
      }
      case 'pair-done':
      case 'pair-failed': {
        if (e.type === 'pair-failed') {
          failed++;
          line(`${c.red('failed')} ${e.person} x ${e.garment} ${c.dim(`[${e.error.code}, ${e.error.stage}]`)} ${e.error.message}`);
        }
        const rate = (e.finished / Math.max((Date.now() - started) / 1000, 0.001)).toFixed(1);
        if (single) single.update(e.finished, { rate, failed });
        else if (e.finished >= (nextTenth * e.toRender) / 10) {
          while (e.finished >= (nextTenth * e.toRender) / 10) nextTenth++;
          line(`  ${Math.floor((e.finished / e.toRender) * 100)}% ${e.finished}/${e.toRender} pairs, ${rate} pairs/s, ${failed} failed`);
        }
        break;
      }
      case 'summary': {
        stop();
        const parts = [c.green(`${e.done} done`), e.failed ? c.red(`${e.failed} failed`) : '0 failed'];
        if (e.pending) parts.push(c.yellow(`${e.pending} not run`));
        if (e.resumed) parts.push(`${e.resumed} kept from an earlier run`);
        line(`${e.interrupted ? c.yellow('interrupted: ') : ''}${parts.join(', ')} of ${e.pairs} pairs; rendered ${e.rendered} in ${seconds(e.elapsedMs)} (${e.pairsPerSecond} pairs/s)`);
        line(`results ${e.results}`);
        line(`contact sheet ${e.index}`);
        break;
      }
    }
  };

  const stop = (): void => {
    if (bar) {
      bar.stop();
      bar = null;
      single = null;
    }
  };

  return {
    event(e) {
      if (e.type === 'warning') printWarning(e.message);
      else if (options.json) options.stdout.write(`${JSON.stringify(e)}\n`);
      else human(e);
    },
    interrupted(signal) {
      line(c.yellow(`${signal}: finishing the pairs in flight, then saving results (press Ctrl-C again to quit at once)`));
    },
    stop,
  };
}

/** --dry-run: the plan, as one JSON event or as text. */
export function printPlan({ plan, prepared }: CatalogPlan, json: boolean, stdout: StdoutLines): void {
  const todo = plan.pairs.filter((p) => !prepared.skip.has(p.key));
  const used = usedInputs(todo);
  const templates = used.garments.filter((g) => !g.image).length;
  const results = path.join(plan.outDir, resultsFileName(plan.shard));
  if (json) {
    const list = plan.pairs.map((p) => ({ person: p.person.name, garment: p.garment.name, output: p.output, size: p.size, skip: prepared.skip.has(p.key) }));
    const counts = { total: plan.totalPairs, pairs: plan.pairs.length, skipped: prepared.skip.size, toRender: todo.length };
    stdout.write(`${JSON.stringify({ type: 'plan', out: plan.outDir, shard: plan.shard, ...counts, personAnalyses: used.persons.length, garmentAnalyses: used.garments.length, templates, results, list })}\n`);
    return;
  }
  const c = colours(process.stdout);
  const out = (s: string): void => stdout.write(`${s}\n`);
  out(`${c.bold('plan')} ${plan.persons.length} persons x ${plan.garments.length} garments = ${plan.totalPairs} pairs`);
  if (plan.shard) out(`  shard ${plan.shard.index}/${plan.shard.count}: ${plan.pairs.length} pairs`);
  out(`  to render: ${todo.length}${prepared.skip.size ? `, kept from an earlier run (--resume): ${prepared.skip.size}` : ''}`);
  out(`  analyses: ${used.persons.length} persons + ${used.garments.length} garments (${templates} built-in templates); renders: ${todo.length}`);
  out(`  outputs: ${path.join(plan.outDir, '<person>', `<garment>.${plan.pairs[0]?.output.split('.').pop() ?? 'jpg'}`)}`);
  out(`  results: ${results}, contact sheet: ${path.join(plan.outDir, 'index.html')}`);
  for (const p of plan.pairs.slice(0, 20)) out(`  ${prepared.skip.has(p.key) ? c.dim('keep  ') : 'render'} ${p.person.name} x ${p.garment.name}${p.size ? ` (${p.size})` : ''} -> ${p.output}`);
  if (plan.pairs.length > 20) out(`  ... and ${plan.pairs.length - 20} more (--json lists them all)`);
}
