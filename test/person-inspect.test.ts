/**
 * `tryon inspect` for persons: option checks (no models needed) and one real run through the
 * library entry the command uses (overlay PNG + JSON summary).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectPhoto, parseInspectOptions } from '../src/cli/inspect.ts';
import { TryonError } from '../src/errors.ts';
import type { PersonSummary } from '../src/person/overlay.ts';
import { HAVE_SHARED, personPhotos } from './fixtures.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-inspect-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cli = { model: 'full', device: 'cpu', cache: true };

describe('tryon inspect options', () => {
  it('needs a photo and something to write', () => {
    expect(() => parseInspectOptions(undefined, { ...cli, json: true })).toThrow(/Expected path of a photo for <photo>/);
    expect(() => parseInspectOptions('me.jpg', cli)).toThrow(/-o <overlay.png> and\/or --json/);
  });

  it('takes --bare with a category and an output image, never with --garment', () => {
    expect(parseInspectOptions('me.jpg', { ...cli, output: 'bare.png', bare: 'UPPER' }).bare).toBe('upper');
    expect(() => parseInspectOptions('me.jpg', { ...cli, output: 'bare.png', bare: 'tops' })).toThrow('Expected one of upper, lower, dress for --bare but received "tops"');
    expect(() => parseInspectOptions('me.jpg', { ...cli, json: true, bare: 'upper' })).toThrow(/--bare writes an image: give -o/);
    expect(() => parseInspectOptions('tee.jpg', { ...cli, output: 'x.png', garment: true, bare: 'upper' })).toThrow(/not with --garment/);
  });

  it('refuses garment options without --garment, bad models and bad extensions', () => {
    const codes = [
      () => parseInspectOptions('me.jpg', { ...cli, json: true, type: 'tshirt' }),
      () => parseInspectOptions('me.jpg', { ...cli, json: true, model: 'huge' }),
      () => parseInspectOptions('me.jpg', { ...cli, output: 'overlay.gif' }),
      () => parseInspectOptions('tee.jpg', { ...cli, json: true, garment: true, type: 'cape' }),
    ].map((f) => {
      try {
        f();
        return 'no error';
      } catch (e) {
        return (e as TryonError).code;
      }
    });
    expect(codes).toEqual(['BAD_OPTION', 'BAD_OPTION', 'BAD_OPTION', 'BAD_OPTION']);
  });

  it('accepts a garment inspection', () => {
    const o = parseInspectOptions('tee.jpg', { ...cli, output: 'o.png', garment: true, type: 'TShirt' });
    expect(o).toMatchObject({ photo: 'tee.jpg', garment: true, type: 'tshirt', output: 'o.png', json: false });
  });
});

describe.skipIf(!HAVE_SHARED)('tryon inspect on a person photo', () => {
  it('writes an overlay the size of the photo and returns the summary', async () => {
    const photo = personPhotos()[0];
    const output = path.join(dir, 'overlay.png');
    const summary = (await inspectPhoto(parseInspectOptions(photo, { ...cli, output, json: true, cache: false }))) as PersonSummary;
    const meta = await sharp(readFileSync(output)).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([summary.width, summary.height]);
    expect(summary.keypoints).toHaveLength(33);
    expect(summary.openpose.people[0].pose_keypoints_2d).toHaveLength(54);
    expect(summary.labels.upper_clothes + summary.labels.torso_skin).toBeGreaterThan(0);
    const labelled = Object.entries(summary.labels).reduce((s, [k, n]) => s + (k === 'background' ? 0 : n), 0);
    // Every labelled pixel is a person pixel (the parsing lives inside the mask).
    expect(labelled).toBeLessThanOrEqual(summary.maskPixels);
  });
});
