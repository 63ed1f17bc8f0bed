/**
 * Photos unlike catalog shots: a small person in a wide, busy frame (the detector keys on the
 * face, which a letterbox of the whole frame shrinks too far), and a grey-scale photo (the
 * detector's score and body points are weak there; the pose model has to confirm), and a
 * head-and-shoulders close-up, which BlazePose cannot read and must be refused, not rendered.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig } from '../src/config.ts';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { analysePerson } from '../src/person/analyse.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await createModelRegistry({ modelsDir: defaultConfig().modelsDir, device: 'cpu', intraOpThreads: 2 });
});
afterAll(async () => {
  await registry?.release();
});

const options = (name: string) => ({ name, key: name, maxPixels: 40_000_000, landmarkModel: 'full' as const });
const photo = path.join(SHARED_FIXTURES, 'persons', '052767_0.jpg');

/** A 2000x1125 frame of deterministic green-yellow texture with the photo, 900 px tall, at x=700. */
async function wideFrame(): Promise<{ bytes: Buffer; left: number; top: number; scale: number }> {
  const W = 2000;
  const H = 1125;
  const px = Buffer.alloc(W * H * 3);
  let seed = 11;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const n = (seed / 0x7fffffff) * 50;
      const t = Math.sin(x / 37) * 40 + Math.cos(y / 23) * 30;
      const i = (y * W + x) * 3;
      px[i] = 90 + t + n;
      px[i + 1] = 120 + t / 2 + n;
      px[i + 2] = 70 + n;
    }
  }
  const person = await sharp(photo).resize({ height: 900 }).toBuffer();
  const bytes = await sharp(px, { raw: { width: W, height: H, channels: 3 } })
    .composite([{ input: person, left: 700, top: 120 }])
    .jpeg()
    .toBuffer();
  return { bytes, left: 700, top: 120, scale: 900 / 1024 };
}

describe.skipIf(!HAVE_SHARED)('person framing', () => {
  it('finds a small person in a wide, busy frame where they are', async () => {
    const reference = await analysePerson(await sharp(photo).toBuffer(), registry, options('upright'));
    const { bytes, left, top, scale } = await wideFrame();
    const a = await analysePerson(bytes, registry, options('wide.jpg'));
    for (const name of ['left_shoulder', 'right_shoulder', 'left_hip', 'right_hip'] as const) {
      const r = reference.keypoints.find((k) => k.name === name)!;
      const k = a.keypoints.find((p) => p.name === name)!;
      // Within 4 % of the person's height of where the same joint is in the plain photo.
      expect(Math.hypot(k.x - (left + r.x * scale), k.y - (top + r.y * scale))).toBeLessThan(0.04 * 900);
    }
  });

  it('accepts a grey-scale photo once the pose model confirms a person, with a warning', async () => {
    const reference = await analysePerson(await sharp(photo).toBuffer(), registry, options('colour'));
    const grey = await sharp(photo).grayscale().jpeg().toBuffer();
    const a = await analysePerson(grey, registry, options('grey.jpg'));
    expect(a.warnings.join(' ')).toMatch(/low person-detection confidence/);
    const ls = a.keypoints.find((k) => k.name === 'left_shoulder')!;
    const rs = reference.keypoints.find((k) => k.name === 'left_shoulder')!;
    expect(Math.hypot(ls.x - rs.x, ls.y - rs.y)).toBeLessThan(30);
  });

  it('refuses a head-and-shoulders close-up instead of inventing a body under the chin', async () => {
    const closeUp = await sharp(path.join(SHARED_FIXTURES, 'persons', '01861_00.jpg')).extract({ left: 0, top: 0, width: 768, height: 560 }).jpeg().toBuffer();
    await expect(analysePerson(closeUp, registry, options('close-up.jpg'))).rejects.toMatchObject({
      code: 'NO_PERSON',
      message: expect.stringMatching(/^close-up\.jpg: the pose found does not fit a body .* only the head and shoulders/),
    });
  });
});
