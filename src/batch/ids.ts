/**
 * Ids that become file and folder names under the output folder: `<out>/<person>/<garment>.jpg`.
 * They must be safe on every file system (no separators, no reserved names, no leading dot)
 * and unique even on case-insensitive ones (macOS, Windows), and the same for the same inputs
 * so that `--resume` and `--shard` find the same names run after run.
 */

/** Windows refuses these as file names whatever the extension. */
const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;

/** Turns any text into a file-system-safe name: letters, digits, `-`, `_`, `.` only. */
export function safeName(text: string): string {
  let name = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // accents: é -> e
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '') // no hidden files, no "..": a leading dot hides the output
    .replace(/[._]+$/, '') // Windows drops trailing dots
    .slice(0, 100);
  if (!name) name = 'item';
  if (RESERVED.test(name)) name = `${name}_`;
  return name;
}

/**
 * Gives each text a safe name, unique ignoring case: later duplicates get `-2`, `-3`, ...
 * Call it on a sorted list so that the same inputs always get the same names.
 */
export function uniqueNames(texts: readonly string[]): string[] {
  const taken = new Set<string>();
  return texts.map((text) => {
    const base = safeName(text);
    let name = base;
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}-${n}`;
    taken.add(name.toLowerCase());
    return name;
  });
}
