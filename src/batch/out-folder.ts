/**
 * The output folder, checked before any work: created if missing, then a probe file written
 * and removed, so a folder that cannot hold the results (a file, a read-only folder, a place
 * such as /proc or /sys) stops the batch at once with a BAD_OPTION naming it, rather than after
 * every pair has rendered and failed to be written.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { TryonError } from '../errors.ts';
import { fsProblem } from './fs-errors.ts';

/** In words; ENOENT from mkdir or a write in a folder that exists means the file system refuses (/proc). */
function refused(err: unknown, what: string): string {
  return (err as NodeJS.ErrnoException).code === 'ENOENT' ? `the file system there does not take new ${what}` : fsProblem(err);
}

function outError(out: string, what: string, cause?: unknown): TryonError {
  return new TryonError('BAD_OPTION', `--out ${out}: ${what}`, { input: '--out', cause, suggestion: 'Give --out a folder you can write to (it is created when missing).' });
}

/**
 * Creates `dir` and its missing parents one level at a time. Not `mkdir(dir, { recursive: true })`:
 * under /proc mkdir answers ENOENT for a parent that exists, and Node's recursive mkdir then
 * retries without end.
 */
async function makeFolder(out: string, dir: string): Promise<void> {
  const s = await stat(dir).catch((err: NodeJS.ErrnoException) => err);
  if (!(s instanceof Error)) {
    if (s.isDirectory()) return;
    const what = s.isFile() ? 'is a file, not a folder' : 'is not a folder';
    throw outError(out, dir === path.resolve(out) ? what : `${dir} ${what}`);
  }
  if (s.code !== 'ENOENT') throw outError(out, `cannot be reached (${fsProblem(s)})`, s);
  const parent = path.dirname(dir);
  if (parent === dir) throw outError(out, `cannot be reached (${fsProblem(s)})`, s);
  await makeFolder(out, parent);
  try {
    await mkdir(dir);
  } catch (err) {
    const madeMeanwhile = (err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(dir).catch(() => null))?.isDirectory(); // by another shard
    if (madeMeanwhile) return;
    throw outError(out, `${dir === path.resolve(out) ? 'cannot be created' : `cannot create the folder ${dir}`} (${refused(err, 'folders')})`, err);
  }
}

/**
 * Makes sure results can be written to `out`: creates it when missing, writes and removes a
 * probe file. Returns the absolute path.
 * @throws TryonError BAD_OPTION naming `--out` and what is wrong.
 */
export async function prepareOutFolder(out: string): Promise<string> {
  const dir = path.resolve(out);
  await makeFolder(out, dir);
  const probe = path.join(dir, `.tryon-probe.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(probe, 'tryon');
  } catch (err) {
    throw outError(out, `files cannot be written in this folder (${refused(err, 'files')})`, err);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  return dir;
}
