/**
 * Small JPEG thumbnails for the contact sheet (index.html), under `<out>/.thumbs/`:
 *   .thumbs/<person>/<garment>.jpg            a result
 *   .thumbs/.headers/persons/<person>.jpg     a row header (the person photo)
 *   .thumbs/.headers/garments/<garment>.jpg   a column header (the garment as analysed)
 * Headers sit under `.headers`, a name no person id can take (ids never start with a dot).
 * Thumbnails are made from pixels already in memory: a resize and a tiny encode, not a
 * second decode of the full-size output.
 */
import path from 'node:path';
import sharp from 'sharp';
import type { RawImage } from '../types.ts';
import { writeFileAtomic } from '../image/write.ts';

export const THUMB_HEIGHT = 160;

export const thumbPaths = {
  pair: (person: string, garment: string): string => `.thumbs/${person}/${garment}.jpg`,
  person: (person: string): string => `.thumbs/.headers/persons/${person}.jpg`,
  garment: (garment: string): string => `.thumbs/.headers/garments/${garment}.jpg`,
};

function raw(image: RawImage): ReturnType<typeof sharp> {
  return sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
}

/** Writes a thumbnail of raw pixels to `<outDir>/<rel>` (atomically). */
export async function writeThumb(outDir: string, rel: string, image: RawImage): Promise<void> {
  const jpeg = await raw(image)
    .resize({ height: THUMB_HEIGHT, withoutEnlargement: true, kernel: 'linear' })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 78 })
    .toBuffer();
  await writeFileAtomic(path.join(outDir, rel), jpeg);
}

/** Writes a thumbnail of an image file (a person photo whose analysis failed, for the row header). */
export async function writeThumbFromFile(outDir: string, rel: string, file: string): Promise<void> {
  const jpeg = await sharp(file, { failOn: 'none' })
    .rotate()
    .resize({ height: THUMB_HEIGHT, withoutEnlargement: true })
    .flatten({ background: '#ffffff' })
    .jpeg({ quality: 78 })
    .toBuffer();
  await writeFileAtomic(path.join(outDir, rel), jpeg);
}
