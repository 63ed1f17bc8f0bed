/**
 * EXIF orientation: a photo stored rotated with an orientation tag is analysed as displayed,
 * so its keypoints match the analysis of the upright photo.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.ts';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { analysePerson } from '../src/person/analyse.ts';
import type { PersonAnalysis } from '../src/types.ts';
import { HAVE_SHARED, personPhotos } from './fixtures.ts';

let registry: ModelRegistry;
let upright: PersonAnalysis;
let tagged: PersonAnalysis;
let storedSize: [number, number];

beforeAll(async () => {
  if (!HAVE_SHARED) return;
  registry = await createModelRegistry({ modelsDir: defaultConfig().modelsDir, device: 'cpu', intraOpThreads: 2 });
  const original = readFileSync(personPhotos()[0]);
  // Both go through the same JPEG encoder so only the orientation differs.
  const plain = await sharp(original).jpeg({ quality: 95 }).toBuffer();
  // Pixels turned 90 degrees anticlockwise, tagged 6 ("turn 90 clockwise to display").
  const rotated = await sharp(original).rotate(270).withMetadata({ orientation: 6 }).jpeg({ quality: 95 }).toBuffer();
  const meta = await sharp(rotated).metadata();
  storedSize = [meta.width!, meta.height!];
  expect(meta.orientation).toBe(6);
  const options = (name: string) => ({ name, key: name, maxPixels: 40_000_000, landmarkModel: 'full' as const });
  upright = await analysePerson(plain, registry, options('upright.jpg'));
  tagged = await analysePerson(rotated, registry, options('tagged.jpg'));
});

afterAll(async () => {
  await registry?.release();
});

describe.skipIf(!HAVE_SHARED)('EXIF orientation', () => {
  it('analyses the photo as displayed', () => {
    expect(storedSize).toEqual([upright.height, upright.width]);
    expect([tagged.width, tagged.height]).toEqual([upright.width, upright.height]);
  });

  it('gives the same keypoints as the upright photo', () => {
    const d: number[] = [];
    upright.keypoints.forEach((k, i) => {
      if (k.score >= 0.5) d.push(Math.hypot(k.x - tagged.keypoints[i].x, k.y - tagged.keypoints[i].y));
    });
    expect(d.length).toBeGreaterThan(15);
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    expect(mean).toBeLessThan(4);
    expect(Math.max(...d)).toBeLessThan(15);
  });

  it('gives the same person mask', () => {
    let differ = 0;
    let person = 0;
    for (let i = 0; i < upright.mask.data.length; i++) {
      const a = upright.mask.data[i] >= 128;
      const b = tagged.mask.data[i] >= 128;
      if (a) person++;
      if (a !== b) differ++;
    }
    expect(differ / person).toBeLessThan(0.03);
  });
});
