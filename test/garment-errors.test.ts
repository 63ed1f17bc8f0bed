/**
 * Garment analysis on synthetic images (no shared fixtures needed): bad options, images with
 * no garment or no backdrop, a garment cut by the frame, a PNG cut-out, and recolouring.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyseGarment } from '../src/garment/analyse.ts';
import { hueOf, rgbToLab } from '../src/garment/color.ts';
import { renderTemplate } from '../src/garment/templates.ts';
import { TryonError } from '../src/errors.ts';
import { landmarkProblems } from './garment-helpers.ts';

const svgPng = (svg: string): Promise<Buffer> => sharp(Buffer.from(svg)).png().toBuffer();
const tee = (fill: string, x = 0): string =>
  `<path transform="translate(${x} 0)" d="M150 60 Q200 90 250 60 L330 90 L390 200 L320 230 L310 190 L310 470 L90 470 L90 190 L80 230 L10 200 L70 90 Z" fill="${fill}"/>`;

async function failure(p: Promise<unknown>): Promise<TryonError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(TryonError);
    return err as TryonError;
  }
  throw new Error('expected a TryonError');
}

describe('garment options', () => {
  it('rejects an unknown type, naming the option and the known types', async () => {
    const err = await failure(analyseGarment(Buffer.alloc(10), { type: 'poncho' }));
    expect(err.code).toBe('BAD_OPTION');
    expect(err.message).toBe(
      'Expected one of tshirt, polo, shirt, top, blouse, sweater, tank, longsleeve, trousers, jeans, shorts, skirt, dress for type but received "poncho" of type string',
    );
  });

  it('rejects a bad colour and a bad category', async () => {
    const bad = await failure(analyseGarment(Buffer.alloc(10), { type: 'tshirt', color: 'blue' }));
    expect(bad.code).toBe('BAD_OPTION');
    expect(bad.message).toBe('Expected hex colour such as #1e90ff or #fff for color but received "blue" of type string');
    const cat = await failure(analyseGarment(Buffer.alloc(10), { category: 'hat' }));
    expect(cat.message).toContain('Expected one of upper, lower, dress for category');
  });

  it('asks for a type or a category when given neither', async () => {
    const err = await failure(analyseGarment(Buffer.alloc(10), {}));
    expect(err.code).toBe('BAD_OPTION');
    expect(err.message).toMatch(/^Expected one of tshirt, .* for type but received undefined/);
  });

  it('templates reject unknown types, bad colours and sizes', async () => {
    expect((await failure(Promise.resolve().then(() => renderTemplate('cape', '#123456')))).message).toContain('for type but received "cape"');
    expect((await failure(Promise.resolve().then(() => renderTemplate('dress', '#12345')))).message).toContain('for color but received "#12345"');
    expect((await failure(Promise.resolve().then(() => renderTemplate('dress', '#123456', { width: 10, height: 100 })))).message).toContain('size.width');
  });
});

describe('garment photos that are not usable', () => {
  it('an all-white image is NO_GARMENT, not a crash', async () => {
    const white = await sharp({ create: { width: 300, height: 400, channels: 3, background: '#ffffff' } }).jpeg().toBuffer();
    const err = await failure(analyseGarment(white, { type: 'tshirt', name: 'white.jpg' }));
    expect(err.code).toBe('NO_GARMENT');
    expect(err.message).toMatch(/^white\.jpg: no garment found/);
  });

  it('random texture (no plain backdrop at the border) is NO_GARMENT', async () => {
    const noise = Buffer.alloc(300 * 400 * 3);
    let s = 7;
    for (let i = 0; i < noise.length; i++) noise[i] = (s = (s * 1103515245 + 12345) & 0x7fffffff) >> 23;
    const png = await sharp(noise, { raw: { width: 300, height: 400, channels: 3 } }).png().toBuffer();
    const err = await failure(analyseGarment(png, { type: 'tshirt', name: 'noise.png' }));
    expect(err.code).toBe('NO_GARMENT');
    expect(err.message).toContain('no plain backdrop');
  });

  it('a garment filling the whole frame is NO_GARMENT', async () => {
    const png = await svgPng(`<svg xmlns="http://www.w3.org/2000/svg" width="300" height="400"><rect width="300" height="400" fill="#f4f4f4"/><rect x="3" y="3" width="294" height="394" fill="#aa2233"/></svg>`);
    const err = await failure(analyseGarment(png, { type: 'tshirt', name: 'full.png' }));
    expect(err.code).toBe('NO_GARMENT');
  });

  it('a garment cut by the frame edge gets a warning and still its landmarks', async () => {
    // The tee's hem runs off the bottom of the frame.
    const png = await svgPng(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="420"><rect width="400" height="420" fill="#ffffff"/>${tee('#2a6f3a')}</svg>`);
    const a = await analyseGarment(png, { type: 'tshirt' });
    expect(a.warnings.join(' ')).toContain('touches the bottom edge');
    expect(landmarkProblems(a)).toEqual([]);
  });

  it('a PNG cut-out uses its alpha channel as the mask', async () => {
    const png = await svgPng(`<svg xmlns="http://www.w3.org/2000/svg" width="400" height="520">${tee('#c0392b')}</svg>`);
    const a = await analyseGarment(png, { type: 'tshirt' });
    expect(a.mask.data[0]).toBe(0);
    expect(a.mask.data[300 * 400 + 200]).toBe(255);
    expect(a.sleeve).toBe('short');
    expect(landmarkProblems(a)).toEqual([]);
    expect(a.warnings).toEqual([]);
  });
});

describe('recolouring', () => {
  it('moves a shaded garment to the asked hue and keeps its shading', async () => {
    // A template has folds and shading: photograph it (JPEG) and retint it.
    const red = await renderTemplate('tshirt', '#b03030');
    const jpeg = await sharp(Buffer.from(red.image.data), { raw: { width: red.width, height: red.height, channels: 3 } }).jpeg({ quality: 92 }).toBuffer();
    const plain = await analyseGarment(jpeg, { type: 'tshirt' });
    const teal = await analyseGarment(jpeg, { type: 'tshirt', color: '#1f8a8a' });
    const a: number[] = [], b: number[] = [];
    for (let i = 0; i < plain.mask.data.length; i += 5) {
      if (plain.mask.data[i] < 255) continue;
      const o = i * 3;
      a.push(rgbToLab(plain.image.data[o], plain.image.data[o + 1], plain.image.data[o + 2])[0]);
      b.push(rgbToLab(teal.image.data[o], teal.image.data[o + 1], teal.image.data[o + 2])[0]);
    }
    expect(pearson(a, b)).toBeGreaterThan(0.9);
    const [Lt, at, bt] = rgbToLab(0x1f, 0x8a, 0x8a);
    const [Ld, ad, bd] = rgbToLab(...teal.color);
    expect(Math.abs(hueOf(ad, bd) - hueOf(at, bt))).toBeLessThan(10);
    expect(Math.abs(Ld - Lt)).toBeLessThan(8);
    // Outside the garment nothing changes.
    expect(teal.image.data.subarray(0, 30)).toEqual(plain.image.data.subarray(0, 30));
  });
});

function pearson(a: number[], b: number[]): number {
  const n = a.length;
  const ma = a.reduce((s, v) => s + v, 0) / n, mb = b.reduce((s, v) => s + v, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}
