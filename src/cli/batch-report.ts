/**
 * How `tryon batch` reports a run; a subscriber to the runner's events, the work never draws.
 * --json: one JSON event per line on stdout, nothing else there. Otherwise, on stderr: a
 * progress bar when stderr is a terminal (a line every 10% when it is a log file), one line per
 * failed pair, and a summary.
 */
import cliProgress from 'cli-progress';
import type { ChalkInstance } from 'chalk';
import type { BatchEvent } from '../batch/runner.ts';

let stdoutClosed = false;
let watching = false;

/**
 * Writes a line to stdout unless its reader went away (`tryon batch --json | head`): then the
 * run goes on and finishes its outputs, results.json and index.html instead of dying on EPIPE.
 */
export function writeStdout(text: string): void {
  if (stdoutClosed) return;
  if (!watching) {
    watching = true;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') stdoutClosed = true;
      else throw err;
    });
  }
  process.stdout.write(text);
}

export interface Reporter {
  event(e: BatchEvent): void;
  interrupted(signal: string): void;
  stop(): void;
}

function seconds(ms: number): string {
  return ms < 100_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function createReporter(options: { json: boolean; colours: ChalkInstance; stream?: NodeJS.WriteStream }): Reporter {
  const stream = options.stream ?? process.stderr;
  const c = options.colours;
  const tty = stream.isTTY === true;
  let bar: cliProgress.MultiBar | null = null;
  let single: cliProgress.SingleBar | null = null;
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
      if (options.json) writeStdout(`${JSON.stringify(e)}\n`);
      else human(e);
    },
    interrupted(signal) {
      line(c.yellow(`${signal}: finishing the pairs in flight, then saving results (press Ctrl-C again to quit at once)`));
    },
    stop,
  };
}
