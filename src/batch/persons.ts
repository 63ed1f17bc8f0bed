/**
 * The person photos of a batch: fast-glob patterns (or plain paths, or folders) expanded,
 * de-duplicated and sorted, so the same patterns give the same persons in the same order.
 * A file counts as an image when its extension says so or, lacking one, its first bytes do;
 * anything else is skipped with a warning. A file that claims to be an image but is corrupt
 * stays in: its pairs fail with the decoder's reason, the rest of the batch goes on.
 */
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { sniffFormat } from '../image/decode.ts';
import { uniqueNames } from './ids.ts';

export interface PersonSpec {
  /** Absolute path of the photo. */
  image: string;
  /** File-system-safe, unique name from the file name: the output folder `<out>/<name>/`. */
  name: string;
}

export interface PersonList {
  persons: PersonSpec[];
  warnings: string[];
}

const IMAGE_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.heic', '.heif', '.avif']);

async function looksLikeImage(file: string): Promise<boolean> {
  if (IMAGE_EXTENSIONS.has(path.extname(file).toLowerCase())) return true;
  let handle;
  try {
    handle = await open(file, 'r');
    const head = Buffer.alloc(16);
    const { bytesRead } = await handle.read(head, 0, 16, 0);
    return sniffFormat(head.subarray(0, bytesRead)) !== null;
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

async function expand(pattern: string, cwd: string): Promise<string[]> {
  const abs = path.resolve(cwd, pattern);
  // A plain path is taken as it is: file names with ( ) [ ] are common and are glob syntax.
  const s = await stat(abs).catch(() => null);
  if (s?.isFile()) return [abs];
  if (s?.isDirectory()) return fg('*', { cwd: abs, absolute: true, onlyFiles: true, dot: false });
  return fg(pattern.split(path.sep).join('/'), { cwd, absolute: true, onlyFiles: true, dot: false });
}

/** Expands the patterns into the sorted person list; `cwd` resolves relative patterns. */
export async function findPersons(patterns: readonly string[], cwd = process.cwd()): Promise<PersonList> {
  const warnings: string[] = [];
  const files = new Set<string>();
  for (const pattern of patterns) {
    const found = await expand(pattern, cwd);
    if (found.length === 0) warnings.push(`--persons ${pattern}: matches no files`);
    for (const f of found) files.add(path.normalize(f));
  }
  const images: string[] = [];
  for (const file of [...files].sort()) {
    if (await looksLikeImage(file)) images.push(file);
    else warnings.push(`${file}: not an image, skipped`);
  }
  const names = uniqueNames(images.map((f) => path.basename(f, path.extname(f))));
  return { persons: images.map((image, i) => ({ image, name: names[i] })), warnings };
}
