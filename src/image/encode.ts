/** Encoding of results: format by extension or explicit choice. */
import path from 'node:path';
import sharp from 'sharp';
import { TryonError } from '../errors.ts';
import { OUTPUT_FORMATS, type OutputFormat, type RawImage } from '../types.ts';

const EXTENSIONS: Record<string, OutputFormat> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png', '.webp': 'webp' };

export const EXTENSION_OF: Record<OutputFormat, string> = { jpeg: 'jpg', png: 'png', webp: 'webp' };

/** The output format an output path asks for, or null when its extension says nothing. */
export function formatFromPath(file: string): OutputFormat | null {
  return EXTENSIONS[path.extname(file).toLowerCase()] ?? null;
}

export function resolveFormat(file: string, explicit?: string): OutputFormat {
  if (explicit) {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(explicit)) {
      throw new TryonError('BAD_OPTION', `Expected one of ${OUTPUT_FORMATS.join(', ')} for --format but received "${explicit}"`, { input: '--format' });
    }
    return explicit as OutputFormat;
  }
  const f = formatFromPath(file);
  if (!f) {
    throw new TryonError('BAD_OPTION', `Cannot tell the output format from "${file}": use a .jpg, .png or .webp name, or --format`, { input: '--output' });
  }
  return f;
}

export async function encodeImage(image: RawImage, format: OutputFormat, quality = 90): Promise<Buffer> {
  const s = sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  switch (format) {
    case 'jpeg':
      return s.jpeg({ quality, mozjpeg: false, chromaSubsampling: '4:4:4' }).toBuffer();
    case 'png':
      return s.png({ compressionLevel: 6 }).toBuffer();
    case 'webp':
      return s.webp({ quality }).toBuffer();
  }
}
