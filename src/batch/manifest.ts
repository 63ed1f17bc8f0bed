/**
 * Catalog manifests: the garments of a batch, as JSON (`{"garments": [...]}` or a bare array)
 * or CSV (a header line, one garment per line). Each entry has
 *
 *   id        required; the output file name is made from it (file-system safe, unique)
 *   image     optional; a garment photo, relative to the manifest's folder (or absolute).
 *             Without it the built-in template of the type is used, in `color`.
 *   type      required; one of GARMENT_TYPES (tshirt, jeans, dress, ...)
 *   category  optional; upper | lower | dress, must agree with the type
 *   color     optional; hex such as #1e90ff: recolours the garment / colours the template
 *   size      optional; S | M | L | XL
 *   name      optional; a display name for the contact sheet
 *   source    optional; worn | photo | auto: the image shows someone wearing the garment, is a
 *             product photo, or is judged from the photo (the default)
 *
 * Other fields (a `description`, a price) are kept out of the way: ignored, with a warning
 * only for names that look like typos of known ones. Every error is a TryonError('BAD_MANIFEST')
 * naming the file, the entry (JSON index or CSV line) and the field.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { TryonError } from '../errors.ts';
import { GARMENT_CATEGORIES, GARMENT_PHOTO_SOURCES, GARMENT_TYPES, SIZES, type GarmentCategory, type GarmentPhotoSource, type GarmentType, type Size } from '../types.ts';
import { sniffFormat } from '../image/decode.ts';
import { invalid, is } from '../validate.ts';
import { parseCsv } from './csv.ts';
import { unreachable } from './fs-errors.ts';
import { excerpt, quoted } from './quote.ts';
import { uniqueNames } from './ids.ts';

export interface GarmentSpec {
  /** The id as written in the manifest. */
  id: string;
  /** File-system-safe, unique name: the output is `<out>/<person>/<name>.<ext>`. */
  name: string;
  type: GarmentType;
  category: GarmentCategory;
  /** Absolute path of the garment photo, or null for the built-in template. */
  image: string | null;
  /** '#rrggbb' (lower case), or null to keep the photo's colour / the template's default. */
  color: string | null;
  size: Size | null;
  /** Display name (the manifest's `name`), or null. */
  label: string | null;
  /** Where the entry is, for messages: `catalog.json garments[3]`, `catalog.csv line 5`. */
  where: string;
  /** What the image shows (worn, photo, auto), when the entry says. */
  source?: GarmentPhotoSource;
}

export interface Manifest {
  /** Absolute path of the manifest file (or the name given for in-memory text). */
  file: string;
  garments: GarmentSpec[];
  warnings: string[];
}

const KNOWN_FIELDS = ['id', 'image', 'type', 'category', 'color', 'size', 'name', 'source'] as const;
/** Fields often found in catalogs that we knowingly ignore (no warning). */
const QUIET_FIELDS = new Set(['description', 'sku', 'price', 'url', 'title', 'brand', 'notes', 'tags']);
/** Spellings people use for our fields; accepted silently. */
const ALIASES: Record<string, (typeof KNOWN_FIELDS)[number]> = { colour: 'color', garment_type: 'type', file: 'image', path: 'image' };

function manifestError(where: string, id: string | undefined, field: string | null, message: string): TryonError {
  const who = id === undefined ? where : `${where} (id ${JSON.stringify(id)})`;
  return new TryonError('BAD_MANIFEST', `${who}${field ? `, field "${field}"` : ''}: ${message}`, { input: who });
}

/** "Expected X for NAME but received V of type T" with the entry's field as NAME. */
function fieldError(where: string, id: string | undefined, field: string, expected: string, value: unknown): TryonError {
  return manifestError(where, id, null, invalid(field, expected, value).message);
}

/** How much of the start of a manifest is looked at for binary data. */
const BINARY_PROBE = 4096;

/**
 * A manifest is text: NUL or other control bytes (but tab, line ends and form feed) in its
 * first 4 KB mean an image, an archive or a UTF-16 export. Refused with a short printable
 * excerpt of its first bytes, never the bytes themselves.
 */
function refuseBinary(bytes: Uint8Array, name: string): void {
  const head = bytes.subarray(0, BINARY_PROBE);
  if (!head.some((b) => b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d)) return;
  const format = sniffFormat(head);
  throw new TryonError('BAD_MANIFEST', `${name}: not a JSON or CSV manifest: it holds binary data${format ? ` (a ${format.toUpperCase()} image)` : ''}, starting ${excerpt(head)}`, {
    input: name,
    suggestion: 'Give --catalog a JSON or CSV text file (UTF-8).',
  });
}

function normaliseType(value: string): string {
  return value.toLowerCase().replace(/[\s_-]+/g, '');
}

function normaliseHex(value: string): string {
  let hex = value.replace('#', '').toLowerCase();
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  return `#${hex}`;
}

interface RawEntry {
  where: string;
  fields: Record<string, unknown>;
}

/** Checks one entry's fields; returns the spec without its unique name. */
function checkEntry(entry: RawEntry, baseDir: string, warnings: string[]): Omit<GarmentSpec, 'name'> {
  const { where } = entry;
  const f: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(entry.fields)) {
    const key = ALIASES[rawKey.toLowerCase()] ?? rawKey.toLowerCase();
    if ((KNOWN_FIELDS as readonly string[]).includes(key)) f[key] = value;
    else if (!QUIET_FIELDS.has(key)) warnings.push(`${where}: field ${quoted(rawKey)} is not used (known fields: ${KNOWN_FIELDS.join(', ')})`);
  }

  // id: a string or a number (SKUs are often numeric).
  const rawId = f.id;
  if (!is.defined(rawId) || rawId === '') throw manifestError(where, undefined, 'id', 'missing; every garment needs an id');
  if (!(is.string(rawId) || is.integer(rawId))) throw fieldError(where, undefined, 'id', 'string or integer', rawId);
  const id = String(rawId).trim();
  if (!id) throw manifestError(where, undefined, 'id', 'is empty');

  const rawType = f.type;
  if (!is.defined(rawType) || rawType === '') {
    throw manifestError(where, id, 'type', `missing; known types: ${Object.keys(GARMENT_TYPES).join(', ')}`);
  }
  const typeKey = is.string(rawType) ? normaliseType(rawType) : '';
  if (!(typeKey in GARMENT_TYPES)) throw fieldError(where, id, 'type', `one of ${Object.keys(GARMENT_TYPES).join(', ')}`, rawType);
  const type = typeKey as GarmentType;
  const implied = GARMENT_TYPES[type];

  let category: GarmentCategory = implied;
  if (is.defined(f.category) && f.category !== '') {
    const c = is.string(f.category) ? f.category.toLowerCase().trim() : f.category;
    if (!is.oneOf(c, GARMENT_CATEGORIES)) throw fieldError(where, id, 'category', `one of ${GARMENT_CATEGORIES.join(', ')}`, f.category);
    if (c !== implied) throw manifestError(where, id, 'category', `"${c}" does not match type "${type}", which is ${implied}`);
    category = c;
  }

  let color: string | null = null;
  if (is.defined(f.color) && f.color !== '') {
    if (!is.hexColor(f.color)) throw fieldError(where, id, 'color', 'hex colour such as #1e90ff or #fff', f.color);
    color = normaliseHex(f.color);
  }

  let size: Size | null = null;
  if (is.defined(f.size) && f.size !== '') {
    const s = is.string(f.size) ? f.size.toUpperCase().trim() : f.size;
    if (!is.oneOf(s, SIZES)) throw fieldError(where, id, 'size', `one of ${SIZES.join(', ')}`, f.size);
    size = s;
  }

  let image: string | null = null;
  if (is.defined(f.image) && f.image !== '') {
    if (!is.string(f.image)) throw fieldError(where, id, 'image', 'path string', f.image);
    image = path.resolve(baseDir, f.image.trim());
  }

  let label: string | null = null;
  if (is.defined(f.name) && f.name !== '') {
    if (!is.string(f.name) && !is.number(f.name)) throw fieldError(where, id, 'name', 'string', f.name);
    label = String(f.name);
  }

  const source = checkSource(where, id, f.source, image);
  return { id, type, category, image, color, size, label, where, ...(source ? { source } : {}) };
}

/** The entry's `source`: one of worn, photo, auto, and only with an image. */
function checkSource(where: string, id: string, value: unknown, image: string | null): GarmentPhotoSource | null {
  if (!is.defined(value) || value === '') return null;
  const v = is.string(value) ? value.toLowerCase().trim() : value;
  if (!is.oneOf(v, GARMENT_PHOTO_SOURCES)) throw fieldError(where, id, 'source', `one of ${GARMENT_PHOTO_SOURCES.join(', ')}`, value);
  if (!image) throw manifestError(where, id, 'source', `"${v}" describes a garment photo: give the entry an image`);
  return v;
}

function jsonEntries(text: string, name: string): RawEntry[] {
  let data: unknown;
  try {
    data = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new TryonError('BAD_MANIFEST', `${name}: not valid JSON (${(err as Error).message})`, { input: name, cause: err });
  }
  let list: unknown;
  let prefix: string;
  if (Array.isArray(data)) {
    list = data;
    prefix = '';
  } else if (data !== null && typeof data === 'object' && 'garments' in data) {
    list = (data as { garments: unknown }).garments;
    prefix = 'garments';
    if (!Array.isArray(list)) throw new TryonError('BAD_MANIFEST', `${name}: "garments" must be an array of entries`, { input: name });
  } else {
    throw new TryonError('BAD_MANIFEST', `${name}: expected {"garments": [...]} or an array of garment entries`, { input: name });
  }
  return (list as unknown[]).map((item, i) => {
    const where = `${name} ${prefix}[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      throw manifestError(where, undefined, null, `expected an object such as {"id": "tee-1", "type": "tshirt"} but received ${JSON.stringify(item)}`);
    }
    return { where, fields: item as Record<string, unknown> };
  });
}

function csvEntries(text: string, name: string): RawEntry[] {
  return parseCsv(text, name).map((r) => ({ where: `${name} line ${r.line}`, fields: r.fields }));
}

export type ManifestFormat = 'json' | 'csv';

export function manifestFormat(file: string, text: string): ManifestFormat {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.csv') return 'csv';
  return /^\uFEFF?\s*[[{]/.test(text) ? 'json' : 'csv';
}

/**
 * Parses manifest text (no file access). `name` is used in messages; image paths are
 * resolved against `baseDir`.
 * @throws TryonError BAD_MANIFEST naming the entry and field.
 */
export function parseManifest(text: string, options: { name: string; baseDir: string; format?: ManifestFormat }): Manifest {
  refuseBinary(Buffer.from(text.slice(0, BINARY_PROBE)), options.name);
  const format = options.format ?? manifestFormat(options.name, text);
  const entries = format === 'json' ? jsonEntries(text, options.name) : csvEntries(text, options.name);
  const warnings: string[] = [];
  const specs = entries.map((e) => checkEntry(e, options.baseDir, warnings));

  const byId = new Map<string, string>();
  for (const s of specs) {
    const other = byId.get(s.id);
    if (other) throw manifestError(s.where, s.id, 'id', `duplicate: ${other} has the same id`);
    byId.set(s.id, s.where);
  }
  const names = uniqueNames(specs.map((s) => s.id));
  const garments = specs.map((s, i) => ({ ...s, name: names[i] }));
  return { file: options.name, garments, warnings };
}

/** A garment's image must be a file: else what it is instead (missing, a folder, a link loop). */
async function checkImage(g: GarmentSpec): Promise<void> {
  if (!g.image) return;
  const s = await stat(g.image).catch((err: Error) => err);
  if (s instanceof Error) throw manifestError(g.where, g.id, 'image', `${await unreachable(g.image, s)}: ${g.image}`);
  if (!s.isFile()) throw manifestError(g.where, g.id, 'image', `${s.isDirectory() ? 'a folder' : 'not a file'}, not an image file: ${g.image}`);
}

/**
 * Reads and checks a manifest file, including that every image it names is a readable file.
 * @throws TryonError BAD_MANIFEST (no manifest, a wrong entry, a missing image).
 */
export async function loadManifest(file: string): Promise<Manifest> {
  const abs = path.resolve(file);
  let text: string;
  try {
    const bytes = await readFile(abs);
    refuseBinary(bytes, file);
    text = bytes.toString('utf8');
  } catch (err) {
    if (err instanceof TryonError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    // A missing manifest is a usage error (exit 2), like a wrong one.
    if (code === 'ENOENT') throw new TryonError('BAD_MANIFEST', `${file}: catalog manifest not found`, { input: file, cause: err, suggestion: 'Give --catalog a JSON or CSV manifest.' });
    throw new TryonError('BAD_MANIFEST', `${file}: cannot be read (${await unreachable(abs, err)})`, { input: file, cause: err });
  }
  const manifest = parseManifest(text, { name: file, baseDir: path.dirname(abs) });
  manifest.file = abs;
  await Promise.all(manifest.garments.map(checkImage));
  return manifest;
}
