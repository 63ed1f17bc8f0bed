/**
 * Decoding of every image the tool reads (person photos, garment photos, uploads): format
 * sniffed from the bytes, EXIF orientation applied, any colour space to sRGB, pixel limit
 * enforced before the pixels are decoded, and every failure a TryonError naming the input.
 */
import { readFile } from 'node:fs/promises';
import sharp, { type Metadata } from 'sharp';
import { TryonError } from '../errors.ts';
import type { RawImage } from '../types.ts';

export interface DecodeOptions {
  /** Name of the input for messages: a path, an upload field. */
  name: string;
  /** Refuse images with more pixels than this. */
  maxPixels: number;
  /** Keep an alpha channel when the image has one (garments); otherwise flatten on white. */
  keepAlpha?: boolean;
  /** Smallest accepted width and height. Default 32. */
  minSide?: number;
}

export interface DecodedImage {
  image: RawImage;
  /** Format sniffed from the bytes: jpeg, png, webp, gif, tiff, heif, avif. */
  format: string;
  hasAlpha: boolean;
  /** The bytes that were decoded (read from the path when a path was given). */
  bytes: Buffer;
}

/** Sniffs the image format from magic bytes; null when it is no image format we read. */
export function sniffFormat(bytes: Uint8Array): string | null {
  const b = bytes;
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  const ascii = (from: number, to: number): string => Buffer.from(b.subarray(from, to)).toString('latin1');
  if (b.length >= 12 && ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'webp';
  if (b.length >= 6 && (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a')) return 'gif';
  if (b.length >= 4 && (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*')) return 'tiff';
  if (b.length >= 12 && ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand.startsWith('avi')) return 'avif';
    if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) return 'heif';
  }
  return null;
}

export async function readInput(input: Buffer | Uint8Array | string, name: string): Promise<Buffer> {
  if (typeof input !== 'string') return Buffer.isBuffer(input) ? input : Buffer.from(input);
  try {
    return await readFile(input);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new TryonError('NOT_FOUND', `${name}: file not found`, { input: name, cause: err });
    if (code === 'EISDIR') throw new TryonError('BAD_INPUT', `${name}: is a folder, not an image file`, { input: name, cause: err });
    throw new TryonError('BAD_INPUT', `${name}: cannot be read (${(err as Error).message})`, { input: name, cause: err });
  }
}

export async function decodeImage(input: Buffer | Uint8Array | string, options: DecodeOptions): Promise<DecodedImage> {
  const { name, maxPixels } = options;
  const minSide = options.minSide ?? 32;
  const bytes = await readInput(input, name);
  if (bytes.length === 0) throw new TryonError('BAD_INPUT', `${name}: the file is empty`, { input: name });
  const format = sniffFormat(bytes);
  if (!format) {
    throw new TryonError('UNSUPPORTED_FORMAT', `${name}: not an image (expected JPEG, PNG, WebP, GIF, TIFF, HEIF or AVIF bytes)`, {
      input: name,
    });
  }
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new TryonError('BAD_INPUT', `${name}: unreadable ${format} image (${(err as Error).message})`, { input: name, cause: err });
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width * height > maxPixels) {
    throw new TryonError('TOO_LARGE', `${name}: ${width}x${height} is ${(width * height / 1e6).toFixed(1)} MP, over the limit of ${(maxPixels / 1e6).toFixed(1)} MP`, {
      input: name,
      suggestion: 'Downscale the image or raise the pixel limit.',
    });
  }
  if (width < minSide || height < minSide) {
    throw new TryonError('BAD_INPUT', `${name}: ${width}x${height} pixels is too small (at least ${minSide}x${minSide} needed)`, { input: name });
  }
  const hasAlpha = meta.hasAlpha === true;
  try {
    // failOn 'truncated': a cut-off JPEG is an error, not a half-grey photo.
    let pipeline = sharp(bytes, { failOn: 'truncated', limitInputPixels: maxPixels }).rotate().toColourspace('srgb');
    pipeline = options.keepAlpha && hasAlpha ? pipeline.ensureAlpha() : pipeline.flatten({ background: '#ffffff' }).removeAlpha();
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return {
      image: { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels as 3 | 4 },
      format,
      hasAlpha: options.keepAlpha === true && hasAlpha,
      bytes,
    };
  } catch (err) {
    throw new TryonError('BAD_INPUT', `${name}: truncated or corrupt ${format} image (${(err as Error).message})`, { input: name, cause: err });
  }
}
