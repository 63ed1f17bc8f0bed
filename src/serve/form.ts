/**
 * The try-on form: reads the multipart body in memory under hard limits (the parser stops at
 * the byte limit, so an oversized upload is cut off, not buffered) and validates every field,
 * naming the field in each message. Image type comes from the bytes, never the file name or
 * the part's Content-Type, and the pixel count from the header, before anything is decoded.
 */
import type { MultipartFile } from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import sharp from 'sharp';
import { TryonError } from '../errors.ts';
import { sniffFormat } from '../image/decode.ts';
import { GARMENT_TYPES, SIZES, type GarmentCategory, type GarmentType, type Size } from '../types.ts';
import { invalid, is, oneOf } from '../validate.ts';
import { HttpError, toHttpError } from './http.ts';

export const FILE_FIELDS = ['person_image', 'clothing_image'] as const;
export const TEXT_FIELDS = ['clothing_name', 'clothing_type', 'clothing_color', 'clothing_size'] as const;
type FileField = (typeof FILE_FIELDS)[number];
type TextField = (typeof TEXT_FIELDS)[number];

export interface TryonForm {
  person: Buffer;
  /** The garment photo, or null to use the built-in template of the type. */
  garment: Buffer | null;
  name: string;
  type: GarmentType;
  category: GarmentCategory;
  /** '#rrggbb', lower case; null only with a garment photo (keep its own colour). */
  color: string | null;
  size: Size;
}

export interface FormLimits {
  /** Bytes per file. */
  maxUpload: number;
  /** Pixels per image. */
  maxPixels: number;
}

const MAX_TEXT = 200;

function megabytes(bytes: number): string {
  return `${+(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Reads one file part into memory, failing the moment busboy hits the byte limit. (The
 * plugin's own toBuffer() would first read the rest of the part, however large, to its end.)
 */
async function readFile(file: MultipartFile['file'], field: string, maxUpload: number): Promise<Buffer> {
  const tooLarge = (): TryonError => new TryonError('TOO_LARGE', `${field}: upload is over the ${megabytes(maxUpload)} limit`, { input: field });
  if (file.truncated) throw tooLarge();
  // Destroying the stream ends the iteration below with the error and unpipes the request.
  const onLimit = (): void => {
    file.destroy(tooLarge());
  };
  file.once('limit', onLimit);
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of file) chunks.push(chunk as Buffer);
  } finally {
    file.off('limit', onLimit);
  }
  if (file.truncated) throw tooLarge();
  return Buffer.concat(chunks);
}

type RawForm = { text: Partial<Record<TextField, string>>; files: Partial<Record<FileField, Buffer>> };

/**
 * Reads the multipart body: at most one part per field, no unknown fields, files under the
 * limit. Whatever the parser throws is the body's fault, so it is a 4xx, never a 500.
 */
export async function readForm(request: FastifyRequest, limits: FormLimits): Promise<RawForm> {
  try {
    return await readParts(request, limits);
  } catch (err) {
    const http = toHttpError(err);
    if (http.status < 500) throw http;
    throw new HttpError(400, 'BAD_INPUT', `request body: malformed multipart form (${String((err as Error)?.message ?? err).slice(0, 120)})`);
  }
}

async function readParts(request: FastifyRequest, limits: FormLimits): Promise<RawForm> {
  const text: Partial<Record<TextField, string>> = {};
  const files: Partial<Record<FileField, Buffer>> = {};
  const parts = request.parts({
    limits: {
      fileSize: limits.maxUpload,
      // A few spare parts, so an unknown or repeated field is refused by name below rather than
      // as an anonymous "too many fields"; still a hard bound on what busboy will parse.
      files: FILE_FIELDS.length + 2,
      fields: TEXT_FIELDS.length + 4,
      parts: FILE_FIELDS.length + TEXT_FIELDS.length + 6,
      fieldSize: MAX_TEXT + 1,
      fieldNameSize: 64,
      headerPairs: 16,
    },
  });
  for await (const part of parts) {
    const field = part.fieldname;
    const known = (FILE_FIELDS as readonly string[]).includes(field) || (TEXT_FIELDS as readonly string[]).includes(field);
    if (!known) {
      throw new TryonError('BAD_OPTION', `Unknown form field "${field.slice(0, 64)}"; expected ${[...FILE_FIELDS, ...TEXT_FIELDS].join(', ')}`, { input: field });
    }
    if (field in text || field in files) throw new TryonError('BAD_OPTION', `Form field ${field} is given more than once`, { input: field });
    if (part.type === 'file') {
      if (!(FILE_FIELDS as readonly string[]).includes(field)) throw invalid(field, 'text value', 'a file upload');
      files[field as FileField] = await readFile(part.file, field, limits.maxUpload);
    } else {
      if (!(TEXT_FIELDS as readonly string[]).includes(field)) throw invalid(field, 'image file upload', 'a text value');
      if (part.valueTruncated) throw invalid(field, `text of at most ${MAX_TEXT} characters`, String(part.value));
      text[field as TextField] = String(part.value);
    }
  }
  return { text, files };
}

/** Checks an uploaded image from its bytes: a format we read, readable header, under the pixel limit. */
export async function checkImage(field: FileField, bytes: Buffer | undefined, maxPixels: number): Promise<Buffer> {
  if (bytes === undefined) throw invalid(field, 'image file upload (JPEG, PNG or WebP)', undefined);
  if (bytes.length === 0) throw new TryonError('BAD_INPUT', `${field}: the uploaded file is empty`, { input: field });
  const format = sniffFormat(bytes);
  if (!format) {
    throw new TryonError('UNSUPPORTED_FORMAT', `${field}: not an image (expected JPEG, PNG, WebP, GIF, TIFF, HEIF or AVIF bytes)`, { input: field });
  }
  let width = 0;
  let height = 0;
  try {
    const meta = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = meta.width ?? 0;
    height = meta.height ?? 0;
  } catch (err) {
    throw new TryonError('BAD_INPUT', `${field}: unreadable ${format} image (${(err as Error).message})`, { input: field, cause: err });
  }
  if (width * height > maxPixels) {
    throw new TryonError('TOO_LARGE', `${field}: ${width}x${height} is ${(width * height / 1e6).toFixed(1)} MP, over the limit of ${(maxPixels / 1e6).toFixed(1)} MP`, { input: field });
  }
  return bytes;
}

function normaliseHex(value: string): string {
  let hex = value.trim().replace('#', '').toLowerCase();
  if (hex.length === 3) hex = [...hex].map((c) => c + c).join('');
  return `#${hex}`;
}

/** Validates the text fields and the images; every message names its field. */
export async function validateForm(
  form: { text: Partial<Record<TextField, string>>; files: Partial<Record<FileField, Buffer>> },
  limits: FormLimits,
): Promise<TryonForm> {
  const { text, files } = form;
  const name = text.clothing_name?.trim();
  if (!name || /[\u0000-\u001f\u007f]/.test(name)) throw invalid('clothing_name', 'non-empty text without control characters', text.clothing_name);
  const type = oneOf('clothing_type', text.clothing_type?.trim().toLowerCase(), Object.keys(GARMENT_TYPES) as GarmentType[]);
  const size = oneOf('clothing_size', text.clothing_size?.trim().toUpperCase(), SIZES);
  const garmentGiven = files.clothing_image !== undefined;
  let color: string | null = null;
  if (text.clothing_color !== undefined || !garmentGiven) {
    if (!is.hexColor(text.clothing_color?.trim())) throw invalid('clothing_color', 'hex colour such as #1e90ff or #fff', text.clothing_color);
    color = normaliseHex(text.clothing_color as string);
  }
  const person = await checkImage('person_image', files.person_image, limits.maxPixels);
  const garment = garmentGiven ? await checkImage('clothing_image', files.clothing_image, limits.maxPixels) : null;
  return { person, garment, name, type, category: GARMENT_TYPES[type], color, size };
}
