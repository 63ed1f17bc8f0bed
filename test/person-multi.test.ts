/**
 * Two people in one photo: the most prominent is analysed and a warning says so.
 */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.ts';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { analysePerson } from '../src/person/analyse.ts';
import { HAVE_SHARED, personPhotos } from './fixtures.ts';

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await createModelRegistry({ modelsDir: defaultConfig().modelsDir, device: 'cpu', intraOpThreads: 2 });
});
afterAll(async () => {
  await registry?.release();
});

describe.skipIf(!HAVE_SHARED)('several people', () => {
  it('analyses the most prominent person and warns', async () => {
    const photos = personPhotos();
    const pick = (name: string): string => photos.find((p) => p.endsWith(name)) ?? photos[0];
    // A full-height person on the left, a second one on the right (each 768x1024).
    const left = await sharp(readFileSync(pick('model_3.png'))).resize(768, 1024).removeAlpha().png().toBuffer();
    const right = await sharp(readFileSync(pick('051918_0.jpg'))).resize(768, 1024).removeAlpha().png().toBuffer();
    const pair = await sharp({ create: { width: 1536, height: 1024, channels: 3, background: '#d0d0d0' } })
      .composite([
        { input: left, left: 0, top: 0 },
        { input: right, left: 768, top: 0 },
      ])
      .jpeg({ quality: 92 })
      .toBuffer();
    const a = await analysePerson(pair, registry, { name: 'pair.jpg', key: 'pair', maxPixels: 40_000_000, landmarkModel: 'full' });
    expect(a.warnings.join(' ')).toMatch(/2 people found; analysed the most prominent/);
    // The analysed person is the left one: its shoulders and its mask are in the left half.
    expect(Math.max(a.keypoints[11].x, a.keypoints[12].x)).toBeLessThan(768);
    expect(a.box.x + a.box.width).toBeLessThanOrEqual(800);
  });
});
