/**
 * What a failed file-system call means, in words for a message: "a symbolic link loop", not
 * "file not found" or `ELOOP: too many symbolic links encountered, stat '...'`. Shared by the
 * checks of the persons (persons.ts), the manifest's images (manifest.ts) and the output
 * folder (out-folder.ts), so the same problem reads the same everywhere.
 */
import { lstat, readlink } from 'node:fs/promises';

const WORDS: Record<string, string> = {
  ENOENT: 'file not found',
  ELOOP: 'a symbolic link loop',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'a read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENAMETOOLONG: 'the name is too long',
  EISDIR: 'a folder, not a file',
};

/** The error's code in words, or its own message for codes without words here. */
export function fsProblem(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return (e.code && WORDS[e.code]) ?? (e.code ? `${e.code}: ${e.message.replace(/^\w+: /, '')}` : String(e.message ?? err));
}

/**
 * Why `file` could not be reached, after a stat of it failed with `err`: a link whose target
 * is missing is named as such (its own lstat works), anything else by fsProblem.
 */
export async function unreachable(file: string, err: unknown): Promise<string> {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
    const link = await lstat(file).catch(() => null);
    if (link?.isSymbolicLink()) return `a symbolic link to ${await readlink(file).catch(() => '?')}, which does not exist`;
  }
  return fsProblem(err);
}
