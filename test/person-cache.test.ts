/**
 * The person disk cache: a second analysis of the same bytes is a hit and equal to the first;
 * corrupt, truncated and old-format entries are misses, not crashes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PersonDiskCache } from '../src/person/cache.ts';
import { Tryon } from '../src/pipeline.ts';
import type { PersonAnalysis } from '../src/types.ts';
import { HAVE_SHARED, personPhotos } from './fixtures.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-person-cache-'));
let first: PersonAnalysis;
let photo: string;

beforeAll(async () => {
  if (!HAVE_SHARED) return;
  photo = personPhotos()[0];
  const tryon = await Tryon.create({ cacheDir: dir, device: 'cpu', concurrency: 1 });
  try {
    first = await tryon.analysePerson(photo);
  } finally {
    await tryon.close();
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectSameAnalysis(a: PersonAnalysis, b: PersonAnalysis): void {
  expect(b.key).toBe(a.key);
  expect([b.width, b.height]).toEqual([a.width, a.height]);
  expect(b.keypoints).toEqual(a.keypoints);
  expect(b.box).toEqual(a.box);
  expect(b.openpose).toEqual(a.openpose);
  expect(b.skinColor).toEqual(a.skinColor);
  expect(b.score).toBe(a.score);
  expect(Buffer.from(b.image.data).equals(Buffer.from(a.image.data))).toBe(true);
  expect(Buffer.from(b.mask.data).equals(Buffer.from(a.mask.data))).toBe(true);
  expect(Buffer.from(b.parsing.data).equals(Buffer.from(a.parsing.data))).toBe(true);
  expect(Buffer.from(b.skin.data).equals(Buffer.from(a.skin.data))).toBe(true);
}

describe.skipIf(!HAVE_SHARED)('person disk cache', () => {
  it('round-trips an analysis exactly', async () => {
    const cache = new PersonDiskCache(dir);
    const back = await cache.get(first.key);
    expect(back).not.toBeNull();
    expectSameAnalysis(first, back!);
    expect(back!.timings).toEqual(first.timings);
  });

  it('serves a second analysis of the same photo from disk', async () => {
    // Mark the stored entry: only a cache hit can return the mark.
    const cache = new PersonDiskCache(dir);
    await cache.set(first.key, { ...first, warnings: ['marked in the cache'] });
    const tryon = await Tryon.create({ cacheDir: dir, device: 'cpu', concurrency: 1 });
    try {
      const second = await tryon.analysePerson(photo);
      expect(second.warnings).toEqual(['marked in the cache']);
      expectSameAnalysis(first, second);
    } finally {
      await tryon.close();
    }
  });

  it('treats corrupt, truncated, old-format and foreign entries as misses', async () => {
    const cache = new PersonDiskCache(dir);
    await cache.set(first.key, first);
    const file = cache.fileFor(first.key);
    const good = readFileSync(file);
    writeFileSync(file, good.subarray(0, Math.floor(good.length / 2)));
    expect(await cache.get(first.key)).toBeNull();
    writeFileSync(file, Buffer.from('garbage, not a cache entry'));
    expect(await cache.get(first.key)).toBeNull();
    const old = Buffer.from(good);
    old[7] = 0; // format byte
    writeFileSync(file, old);
    expect(await cache.get(first.key)).toBeNull();
    const flipped = Buffer.from(good);
    flipped[flipped.length - 10] ^= 0xff; // inside the deflated planes
    writeFileSync(file, flipped);
    // A flipped byte in the deflated planes: a miss (inflate fails) or, if it still inflates,
    // an entry of the right shape; never a throw.
    const got = await cache.get(first.key).catch((e: unknown) => e);
    expect(got === null || (got as PersonAnalysis).key === first.key).toBe(true);
    // An entry stored under another key is not served for this one.
    mkdirSync(path.dirname(cache.fileFor('0'.repeat(64))), { recursive: true });
    writeFileSync(cache.fileFor('0'.repeat(64)), good);
    expect(await cache.get('0'.repeat(64))).toBeNull();
    expect(await cache.get('f'.repeat(64))).toBeNull();
  });
});
