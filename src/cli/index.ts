/**
 * The CLI entry: registers commands and maps errors to exit codes, nothing more.
 * Exit codes: 0 all done, 1 some items failed or a runtime error, 2 bad usage, 130 interrupted.
 */
import { Command, CommanderError } from 'commander';
import { asTryonError, exitCodeFor } from '../errors.ts';
import { registerModels } from './models.ts';
import { registerInspect } from './inspect.ts';
import { registerRun } from './run.ts';
import { registerBatch } from './batch.ts';
import { registerServe } from './serve.ts';
import { printError } from './output.ts';

export function buildProgram(): Command {
  const program = new Command('tryon')
    .description('Virtual try-on at catalog scale: every person photo in every garment, offline, on CPU or GPU.')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerRun(program);
  registerBatch(program);
  registerInspect(program);
  registerModels(program);
  registerServe(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version exit through here with code 0; usage errors were already printed.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    const e = asTryonError(err);
    printError(e);
    process.exitCode = exitCodeFor(e.code);
  }
}
