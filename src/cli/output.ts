/** Terminal output shared by the commands: errors to stderr, colours only on a terminal. */
import chalk, { Chalk, type ChalkInstance } from 'chalk';
import type { TryonError } from '../errors.ts';

export function useColour(stream: NodeJS.WriteStream = process.stderr): boolean {
  return stream.isTTY === true && !process.env.NO_COLOR;
}

/** chalk for stderr, or a colourless one under NO_COLOR or when stderr is no terminal. */
export function colours(stream: NodeJS.WriteStream = process.stderr): ChalkInstance {
  return useColour(stream) ? chalk : new Chalk({ level: 0 });
}

export function printError(e: TryonError): void {
  const c = colours();
  process.stderr.write(`${c.red('error')} ${c.dim(`[${e.code}]`)} ${e.message}\n`);
  if (e.cause instanceof Error && e.cause.message && !e.message.includes(e.cause.message)) {
    process.stderr.write(`  ${c.dim('cause:')} ${e.cause.message}\n`);
  }
  if (e.suggestion) process.stderr.write(`  ${c.dim('hint:')} ${e.suggestion}\n`);
  if (e.code === 'INTERNAL' && e.stack && process.env.TRYON_DEBUG) process.stderr.write(`${e.stack}\n`);
}

export function printWarning(message: string): void {
  const c = colours();
  process.stderr.write(`${c.yellow('warning')} ${message}\n`);
}
