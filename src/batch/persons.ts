/**
 * The person photos of a batch: fast-glob patterns (or plain paths, or folders) expanded,
 * de-duplicated and sorted, so the same patterns give the same persons in the same order.
 * A file counts as an image when its extension says so or, lacking one, its first bytes do;
 * anything else is skipped with a warning. A file that claims to be an image but is corrupt
 * stays in: its pairs fail with the decoder's reason, the rest of the batch goes on.
 *
 * Paths named outright are held to more than pattern matches: one that does not exist, or a
 * folder with no image in it, is a BAD_OPTION naming it (a typo must not pass as an empty
 * success); a link named outright that leads nowhere (a loop, a missing target) stays in and
 * fails only its own pairs, with what it is. Symbolic links: a linked photo counts, once (files
 * are de-duplicated by their real path); `**` does not descend into linked folders, since a link
 * to a folder above would repeat every photo below it until the system's link limit; a folder
 * or pattern named through a link is read.
 */
import { lstat, open, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import fg from 'fast-glob';
import { TryonError } from '../errors.ts';
import { sniffFormat } from '../image/decode.ts';
import { fsProblem, unreachable } from './fs-errors.ts';
import { uniqueNames } from './ids.ts';

export interface PersonSpec {
  /** Absolute path of the photo. */
  image: string;
  /** File-system-safe, unique name from the file name: the output folder `<out>/<name>/`. */
  name: string;
  /** Why the photo cannot be read at all (a link loop): its pairs fail with this, without an analysis. */
  problem?: { code: 'BAD_INPUT'; message: string };
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

/** A file found, or a link named outright that leads nowhere (`problem` says why). */
interface Found {
  file: string;
  problem?: string;
}

function personsError(pattern: string, what: string, suggestion?: string): TryonError {
  return new TryonError('BAD_OPTION', `--persons ${pattern}: ${what}`, { input: '--persons', suggestion });
}

/**
 * The files a glob matches (a folder's listing is the glob `*` in it): files, and links to
 * files; links to folders are not followed, links that lead nowhere are skipped with a warning.
 */
async function globFiles(pattern: string, glob: string, cwd: string, warnings: string[]): Promise<string[]> {
  let entries: fg.Entry[];
  try {
    entries = await fg(glob, { cwd, absolute: true, onlyFiles: false, followSymbolicLinks: false, dot: false, objectMode: true });
  } catch (err) {
    const where = (err as NodeJS.ErrnoException).path;
    throw personsError(pattern, `cannot be read (${fsProblem(err)}${where ? `: ${where}` : ''})`);
  }
  const files: string[] = [];
  for (const e of entries) {
    if (e.dirent.isFile()) files.push(e.path);
    if (!e.dirent.isSymbolicLink()) continue;
    const target = await stat(e.path).catch((err: Error) => err);
    if (target instanceof Error) warnings.push(`${e.path}: ${await unreachable(e.path, target)}, skipped`);
    else if (target.isFile()) files.push(e.path);
  }
  return files;
}

/** What one --persons argument gives: a path named outright (file or folder), else a glob. */
async function expand(pattern: string, cwd: string, warnings: string[]): Promise<{ found: Found[]; folder: boolean }> {
  const abs = path.resolve(cwd, pattern);
  // A plain path is taken as it is: file names with ( ) [ ] are common and are glob syntax.
  const entry = await lstat(abs).catch((err: NodeJS.ErrnoException) => err);
  if (entry instanceof Error) {
    if (fg.isDynamicPattern(pattern)) {
      const files = await globFiles(pattern, pattern.split(path.sep).join('/'), cwd, warnings);
      return { found: files.map((file) => ({ file })), folder: false };
    }
    const missing = entry.code === 'ENOENT' || entry.code === 'ENOTDIR';
    throw personsError(pattern, missing ? 'no such file or folder' : `cannot be read (${fsProblem(entry)})`);
  }
  const s = entry.isSymbolicLink() ? await stat(abs).catch((err: Error) => err) : entry;
  if (s instanceof Error) return { found: [{ file: abs, problem: await unreachable(abs, s) }], folder: false };
  if (s.isFile()) return { found: [{ file: abs }], folder: false };
  if (s.isDirectory()) return { found: (await globFiles(pattern, '*', abs, warnings)).map((file) => ({ file })), folder: true };
  throw personsError(pattern, 'is neither a file nor a folder (a device, a pipe or a socket)');
}

/**
 * One entry per file, by real path: of the paths that reach one file (a link and its target,
 * two links), the file's own path is kept when it is among them, else the first; in order.
 */
async function oncePerFile(found: Found[], warnings: string[]): Promise<Found[]> {
  const byReal = new Map<string, Found[]>();
  for (const f of found) {
    const real = f.problem ? f.file : await realpath(f.file).catch(() => f.file);
    byReal.set(real, [...(byReal.get(real) ?? []), f]);
  }
  const kept = new Set<Found>();
  for (const [real, paths] of byReal) {
    const keep = paths.find((f) => f.file === real) ?? paths[0];
    kept.add(keep);
    for (const f of paths) if (f !== keep) warnings.push(`${f.file}: the same file as ${keep.file}, taken once`);
  }
  return found.filter((f) => kept.has(f));
}

/**
 * Expands the patterns into the sorted person list; `cwd` resolves relative patterns.
 * @throws TryonError BAD_OPTION for a path named outright that does not exist or a folder with no image in it.
 */
export async function findPersons(patterns: readonly string[], cwd = process.cwd()): Promise<PersonList> {
  const warnings: string[] = [];
  const found = new Map<string, Found>();
  const isImage = new Map<string, boolean>();
  const imageCheck = async (file: string): Promise<boolean> => {
    let known = isImage.get(file);
    if (known === undefined) isImage.set(file, (known = await looksLikeImage(file)));
    return known;
  };
  for (const pattern of patterns) {
    const given = await expand(pattern, cwd, warnings);
    const files = given.found.map((f) => ({ ...f, file: path.normalize(f.file) }));
    if (files.length === 0 && !given.folder) warnings.push(`--persons ${pattern}: matches no files`);
    for (const f of files) if (!found.has(f.file)) found.set(f.file, f);
    if (given.folder && !(await Promise.all(files.map((f) => imageCheck(f.file)))).includes(true)) {
      throw personsError(pattern, 'a folder with no image files in it', 'Sub-folders are not searched: give a pattern such as "photos/**/*.jpg".');
    }
  }
  const images: Found[] = [];
  for (const f of [...found.values()].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))) {
    if (f.problem || (await imageCheck(f.file))) images.push(f);
    else warnings.push(`${f.file}: not an image, skipped`);
  }
  const persons = await oncePerFile(images, warnings);
  const names = uniqueNames(persons.map((f) => path.basename(f.file, path.extname(f.file))));
  return {
    persons: persons.map((f, i) => ({ image: f.file, name: names[i], ...(f.problem ? { problem: { code: 'BAD_INPUT', message: `${f.file}: ${f.problem}` } } : {}) })),
    warnings,
  };
}
