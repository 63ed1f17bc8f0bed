/**
 * Person analysis on bad input: every case is a TryonError with a code and a message naming
 * the input, never a crash. Inputs are generated here.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.ts';
import { TryonError } from '../src/errors.ts';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { analysePerson } from '../src/person/analyse.ts';

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await createModelRegistry({ modelsDir: defaultConfig().modelsDir, device: 'cpu', intraOpThreads: 2 });
});
afterAll(async () => {
  await registry?.release();
});

const options = (name: string) => ({ name, key: name, maxPixels: 40_000_000, landmarkModel: 'full' as const });

/** A gradient sky over two rolling hills with a little grain: a photo with no one in it. */
async function landscape(width = 768, height = 576): Promise<Buffer> {
  const px = Buffer.alloc(width * height * 3);
  let seed = 7;
  const noise = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return (seed / 0x7fffffff - 0.5) * 12;
  };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const far = height * (0.55 + 0.06 * Math.sin(x / 90) + 0.03 * Math.sin(x / 23));
      const near = height * (0.72 + 0.08 * Math.sin(x / 140 + 2));
      let c: [number, number, number];
      if (y > near) c = [60, 120 - (y - near) * 0.1, 40];
      else if (y > far) c = [90, 150, 70];
      else {
        const t = y / far;
        c = [110 + 100 * t, 160 + 70 * t, 235];
      }
      const o = (y * width + x) * 3;
      const n = noise();
      px[o] = Math.max(0, Math.min(255, c[0] + n));
      px[o + 1] = Math.max(0, Math.min(255, c[1] + n));
      px[o + 2] = Math.max(0, Math.min(255, c[2] + n));
    }
  }
  return sharp(px, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

async function expectError(promise: Promise<unknown>, code: string, name: string): Promise<TryonError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TryonError);
  const e = err as TryonError;
  expect(e.code).toBe(code);
  expect(e.message).toContain(name);
  return e;
}

describe('person analysis on bad input', () => {
  it('says NO_PERSON for a landscape', async () => {
    const e = await expectError(analysePerson(await landscape(), registry, options('hills.jpg')), 'NO_PERSON', 'hills.jpg');
    expect(e.message).toMatch(/no person/);
  });

  it('refuses a 1-pixel image as too small', async () => {
    const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer();
    const e = await expectError(analysePerson(png, registry, options('dot.png')), 'BAD_INPUT', 'dot.png');
    expect(e.message).toMatch(/too small/);
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await sharp({ create: { width: 400, height: 600, channels: 3, background: '#a0b0c0' } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const cut = jpeg.subarray(0, Math.floor(jpeg.length * 0.6));
    const e = await expectError(analysePerson(cut, registry, options('cut.jpg')), 'BAD_INPUT', 'cut.jpg');
    expect(e.message).toMatch(/truncated|corrupt|unreadable/);
  });

  it('refuses a text file renamed .jpg', async () => {
    const text = Buffer.from('This is not a photo, just some words in a file called photo.jpg\n'.repeat(20));
    const e = await expectError(analysePerson(text, registry, options('notes.jpg')), 'UNSUPPORTED_FORMAT', 'notes.jpg');
    expect(e.message).toMatch(/not an image/);
  });

  it('refuses a photo over the pixel limit before decoding it', async () => {
    const png = await sharp({ create: { width: 600, height: 600, channels: 3, background: '#808080' } }).png().toBuffer();
    await expectError(analysePerson(png, registry, { ...options('big.png'), maxPixels: 100_000 }), 'TOO_LARGE', 'big.png');
  });
});
