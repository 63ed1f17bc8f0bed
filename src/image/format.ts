/**
 * The output format a result is written in: by the output path's extension or an explicit
 * choice. Apart from encode.ts so that option checks need not load the image library.
 */
import path from 'node:path';
import { TryonError } from '../errors.ts';
import { OUTPUT_FORMATS, type OutputFormat } from '../types.ts';

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

