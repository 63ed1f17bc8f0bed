/**
 * Trousers on a half-length photo of someone in wide jeans (05997_00): the knees are out of the
 * frame and the silhouette below the waist is the old jeans'. Slim jeans (051946_1) must keep
 * their own hips and legs, not balloon to the old jeans' width.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Body } from '../src/fit/body.ts';
import { sizeEase } from '../src/fit/sizes.ts';
import { planFit } from '../src/fit/targets.ts';
import { Tryon } from '../src/pipeline.ts';
import type { Point } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';

const at = (pairs: { name: string; body: Point }[], name: string): Point => {
  const c = pairs.find((p) => p.name === name);
  if (!c) throw new Error(`no ${name}`);
  return c.body;
};

describe.skipIf(!HAVE_SHARED)('trousers on a half-length photo', () => {
  let tryon: Tryon;
  beforeAll(async () => {
    tryon = await Tryon.create({ device: 'cpu', cacheDir: null, concurrency: 1, render: { threads: 0 } });
  });
  afterAll(() => tryon?.close());

  it("keeps slim jeans slim over wide ones: hips at the waistband's width, knees inside the hips", async () => {
    const person = await tryon.analysePerson(path.join(SHARED_FIXTURES, 'persons', '05997_00.jpg'));
    const garment = await tryon.analyseGarment(path.join(SHARED_FIXTURES, 'garments', '051946_1.jpg'), { category: 'lower' });
    const plan = planFit(new Body(person), garment, sizeEase('M'));
    const span = (a: string, b: string): number => Math.abs(at(plan.main, a).x - at(plan.main, b).x);
    const waist = span('waistband_left', 'waistband_right');
    expect(span('hip_left', 'hip_right')).toBeLessThan(1.1 * waist);
    expect(span('knee_left_out', 'knee_right_out')).toBeLessThan(span('hip_left', 'hip_right'));
  });
});
