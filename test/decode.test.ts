import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { decodeImage, sniffFormat } from '../src/image/decode.ts';
import { TryonError } from '../src/errors.ts';

async function jpeg(width: number, height: number, opts: { orientation?: number } = {}): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  // Left half red, right half blue: orientation is visible in the pixels.
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) {
    const i = (y * width + x) * 3;
    if (x < width / 2) raw[i] = 255; else raw[i + 2] = 255;
  }
  let s = sharp(raw, { raw: { width, height, channels: 3 } }).jpeg({ quality: 95 });
  if (opts.orientation) s = s.withMetadata({ orientation: opts.orientation });
  return s.toBuffer();
}

async function decodeError(input: Buffer, maxPixels = 40e6): Promise<TryonError> {
  try {
    await decodeImage(input, { name: 'photo.jpg', maxPixels });
  } catch (err) {
    expect(err).toBeInstanceOf(TryonError);
    return err as TryonError;
  }
  throw new Error('expected decodeImage to throw');
}

describe('decodeImage', () => {
  it('decodes a JPEG to RGB at its size', async () => {
    const { image, format } = await decodeImage(await jpeg(64, 48), { name: 'a.jpg', maxPixels: 40e6 });
    expect(format).toBe('jpeg');
    expect([image.width, image.height, image.channels]).toEqual([64, 48, 3]);
    expect(image.data[0]).toBeGreaterThan(200); // red on the left
  });

  it('applies EXIF orientation so pixels are in display order', async () => {
    // Orientation 6 = rotate 90° clockwise for display: a 64x48 file displays as 48x64.
    const { image } = await decodeImage(await jpeg(64, 48, { orientation: 6 }), { name: 'r.jpg', maxPixels: 40e6 });
    expect([image.width, image.height]).toEqual([48, 64]);
    // The red left half of the stored image is the top half once displayed.
    const top = image.data[(2 * 48 + 24) * 3];
    const bottom = image.data[(60 * 48 + 24) * 3];
    expect(top).toBeGreaterThan(200);
    expect(bottom).toBeLessThan(60);
  });

  it('flattens alpha on white unless asked to keep it', async () => {
    const png = await sharp({ create: { width: 40, height: 40, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const flat = await decodeImage(png, { name: 'a.png', maxPixels: 40e6 });
    expect(flat.image.channels).toBe(3);
    expect(flat.image.data[0]).toBe(255);
    const kept = await decodeImage(png, { name: 'a.png', maxPixels: 40e6, keepAlpha: true });
    expect(kept.image.channels).toBe(4);
    expect(kept.hasAlpha).toBe(true);
  });

  it('converts grayscale to three channels', async () => {
    const gray = await sharp({ create: { width: 40, height: 40, channels: 3, background: '#808080' } }).grayscale().jpeg().toBuffer();
    const { image } = await decodeImage(gray, { name: 'g.jpg', maxPixels: 40e6 });
    expect(image.channels).toBe(3);
  });

  it('names the input and the problem for a text file renamed .jpg', async () => {
    const e = await decodeError(Buffer.from('hello, I am not a photo'));
    expect(e.code).toBe('UNSUPPORTED_FORMAT');
    expect(e.message).toMatch(/^photo\.jpg: not an image/);
  });

  it('refuses a truncated JPEG', async () => {
    const full = await jpeg(200, 200);
    const e = await decodeError(full.subarray(0, Math.floor(full.length / 2)));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/photo\.jpg: truncated or corrupt jpeg/);
  });

  it('refuses a 1-pixel image and an image over the pixel limit', async () => {
    expect((await decodeError(await jpeg(1, 1))).message).toMatch(/1x1 pixels is too small/);
    const big = await decodeError(await jpeg(100, 100), 5000);
    expect(big.code).toBe('TOO_LARGE');
    expect(big.message).toMatch(/over the limit/);
  });

  it('refuses an empty file and a missing path', async () => {
    expect((await decodeError(Buffer.alloc(0))).message).toMatch(/empty/);
    await expect(decodeImage('/nonexistent/x.jpg', { name: '/nonexistent/x.jpg', maxPixels: 1e6 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('sniffs formats from bytes', () => {
    expect(sniffFormat(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).toBe('webp');
    expect(sniffFormat(Buffer.from('GIF89a'))).toBe('gif');
    expect(sniffFormat(Buffer.from('<svg'))).toBeNull();
  });
});
