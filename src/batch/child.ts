/**
 * One process of a batch run in several (processes.ts): plans the batch from the spec it is
 * given, runs its part, and prints its events as JSON lines on stdout for the parent to relay.
 * SIGINT finishes the pairs in flight and saves; its exit code is its summary's.
 */
import { asTryonError } from '../errors.ts';
import { planCatalog, runPlanned } from './catalog.ts';
import type { ChildTask } from './spec.ts';

async function main(task: ChildTask): Promise<number> {
  const controller = new AbortController();
  process.on('SIGINT', () => controller.abort());
  const print = (e: object): void => {
    process.stdout.write(`${JSON.stringify(e)}\n`);
  };
  try {
    // Warnings were the parent's to give (it planned the same inputs).
    const planned = await planCatalog(task.spec, { part: task.part });
    const summary = await runPlanned(planned, task.spec, { signal: controller.signal, onEvent: (e) => e.type !== 'warning' && print(e) });
    return summary.exitCode;
  } catch (err) {
    const e = asTryonError(err);
    process.stderr.write(`${e.code}: ${e.message}\n`);
    return 2;
  }
}

process.exitCode = await main(JSON.parse(process.argv[2] ?? '{}') as ChildTask);
