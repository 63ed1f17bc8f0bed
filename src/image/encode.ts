/** Encoding of results (the format by extension or explicit choice is format.ts's). */
import sharp from 'sharp';
import type { OutputFormat, RawImage } from '../types.ts';

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
