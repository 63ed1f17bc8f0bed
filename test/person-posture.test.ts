/**
 * Poses and layers (src/person/posture.ts). No shared photo shows a seated person, crossed arms,
 * a three-quarter view or an open jacket, so those are built from the drawn stick person by
 * moving its keypoints or painting its top; each must be found, the unchanged figure must not
 * be, and each reaches the try-on's warnings for the categories it spoils. On the shared
 * photos (all standing, front views: test/person-photos.test.ts) nothing is found but one real
 * hand hidden at the hip, whose warning is followed here into a try-on and a results.json.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCatalog } from '../src/batch/catalog.ts';
import type { ResultsDoc } from '../src/batch/results.ts';
import { postureWarnings, readPosture } from '../src/person/posture.ts';
import { LABEL, type KeypointName, type PersonAnalysis, type Posture } from '../src/types.ts';
import { HAVE_SHARED, SHARED_FIXTURES } from './fixtures.ts';
import { stickPerson } from './helpers/synthetic.ts';

function moved(person: PersonAnalysis, moves: Partial<Record<KeypointName, { x: number; y: number }>>): PersonAnalysis {
  return { ...person, keypoints: person.keypoints.map((k) => (moves[k.name] ? { ...k, ...moves[k.name] } : k)) };
}

const posture = (p: PersonAnalysis): Posture => readPosture(p.image, p.keypoints, p.mask, p.parsing, p.skin);
const at = (p: PersonAnalysis, name: KeypointName) => p.keypoints.find((k) => k.name === name)!;

/** The stick person's top painted as an open jacket: a light band down the middle, dark on both sides. */
function inJacket(person: PersonAnalysis, bandRows: [number, number] = [0, person.height]): PersonAnalysis {
  const image = person.image.data.slice();
  const cx = person.width / 2;
  for (let y = 0; y < person.height; y++) {
    for (let x = 0; x < person.width; x++) {
      const i = y * person.width + x;
      if (person.parsing.data[i] !== LABEL.upper_clothes) continue;
      const band = Math.abs(x + 0.5 - cx) < 12 && y >= bandRows[0] && y < bandRows[1];
      image.set(band ? [236, 232, 225] : [35, 35, 40], i * 3);
    }
  }
  return { ...person, image: { ...person.image, data: image } };
}

describe('posture from keypoints and layers (drawn figures)', () => {
  const upright = stickPerson();

  it('finds nothing on a standing front view in a plain top', () => {
    expect(posture(upright)).toEqual({ seated: false, armsCrossed: false, handsInPockets: [], turned: false, openJacket: false });
    for (const category of ['upper', 'lower', 'dress'] as const) expect(postureWarnings(posture(upright), category)).toEqual([]);
  });

  it('finds a seated person (knees level with the hips) and warns for lower garments and dresses only', () => {
    const lh = at(upright, 'left_hip');
    const rh = at(upright, 'right_hip');
    const seated = moved(upright, {
      left_knee: { x: lh.x + 6, y: lh.y + 12 },
      right_knee: { x: rh.x - 6, y: rh.y + 12 },
      left_ankle: { x: lh.x + 8, y: lh.y + 75 },
      right_ankle: { x: rh.x - 8, y: rh.y + 75 },
    });
    expect(posture(seated).seated).toBe(true);
    expect(postureWarnings(posture(seated), 'lower')).toEqual([expect.stringMatching(/^person seated: legs not fitted/)]);
    expect(postureWarnings(posture(seated), 'dress')).toEqual([expect.stringMatching(/^person seated: legs not fitted/)]);
    expect(postureWarnings(posture(seated), 'upper')).toEqual([]);
  });

  it('finds crossed arms (each wrist past the midline in front of the torso), not one arm across', () => {
    const ls = at(upright, 'left_shoulder');
    const rs = at(upright, 'right_shoulder');
    const cx = (ls.x + rs.x) / 2;
    const crossed = moved(upright, {
      left_elbow: { x: ls.x + 5, y: ls.y + 55 },
      right_elbow: { x: rs.x - 5, y: rs.y + 55 },
      left_wrist: { x: cx - 22, y: ls.y + 40 },
      right_wrist: { x: cx + 22, y: rs.y + 45 },
    });
    expect(posture(crossed).armsCrossed).toBe(true);
    expect(postureWarnings(posture(crossed), 'upper')).toEqual([expect.stringMatching(/^arms crossed/)]);
    expect(postureWarnings(posture(crossed), 'lower')).toEqual([]);
    expect(posture(stickPerson({ armAcross: true })).armsCrossed).toBe(false);
  });

  it('finds a three-quarter view from narrow shoulders, and from a hidden far shoulder', () => {
    const ls = at(upright, 'left_shoulder');
    const rs = at(upright, 'right_shoulder');
    const cx = (ls.x + rs.x) / 2;
    const narrow = moved(upright, { left_shoulder: { x: cx + 12, y: ls.y }, right_shoulder: { x: cx - 12, y: rs.y } });
    expect(posture(narrow).turned).toBe(true);
    const hidden = { ...upright, keypoints: upright.keypoints.map((k) => (k.name === 'right_shoulder' ? { ...k, score: 0.2 } : k)) };
    expect(posture(hidden).turned).toBe(true);
    expect(postureWarnings(posture(hidden), 'lower')).toEqual([expect.stringMatching(/^body turned/)]);
  });

  it('finds a hand hidden at the hip (cloth, no skin where the hand is), not a visible one', () => {
    const hip = at(upright, 'left_hip');
    const wrist = { x: hip.x + 10, y: hip.y + 15 };
    /** The left wrist at the hip, its hand's surroundings on the person, skin or not. */
    const handAtHip = (skinValue: number): PersonAnalysis => {
      const skin = upright.skin.data.slice();
      const mask = upright.mask.data.slice();
      for (let y = 0; y < upright.height; y++) {
        for (let x = 0; x < upright.width; x++) {
          if (Math.hypot(x - wrist.x, y - wrist.y) >= 16) continue;
          skin[y * upright.width + x] = skinValue;
          mask[y * upright.width + x] = 255;
        }
      }
      return { ...moved(upright, { left_wrist: wrist }), skin: { ...upright.skin, data: skin }, mask: { ...upright.mask, data: mask } };
    };
    const pocket = handAtHip(10);
    expect(posture(pocket).handsInPockets).toEqual(['left']);
    expect(postureWarnings(posture(pocket), 'lower')).toEqual([expect.stringMatching(/^left hand hidden at the hip/)]);
    expect(postureWarnings(posture(pocket), 'upper')).toEqual([]);
    expect(posture(handAtHip(230)).handsInPockets).toEqual([]);
  });

  it('finds an open jacket over a top (a band down the whole front), not a print on the chest', () => {
    const jacket = inJacket(upright);
    expect(posture(jacket).openJacket).toBe(true);
    expect(postureWarnings(posture(jacket), 'upper')).toEqual([expect.stringMatching(/^open jacket or coat over a top/)]);
    // The same colours as a print on the chest only: the top's colour above and below it.
    const print = inJacket(upright, [95, 125]);
    expect(posture(print).openJacket).toBe(false);
  });
});

describe.skipIf(!HAVE_SHARED)('posture warnings on a shared photograph', () => {
  it('puts a hidden hand into the warnings of trousers (TryOnResult, results.json), not of a tee', async () => {
    const photo = path.join(SHARED_FIXTURES, 'persons', '07966_00.jpg');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'tryon-posture-'));
    writeFileSync(path.join(dir, 'c.json'), JSON.stringify([{ id: 'trousers', type: 'trousers' }, { id: 'tee', type: 'tshirt' }]));
    const summary = await runCatalog({ persons: [photo], catalog: path.join(dir, 'c.json'), out: path.join(dir, 'out'), output: { thumbnails: false }, pipeline: { cacheDir: null, concurrency: 1, render: { threads: 0 } } });
    const doc = JSON.parse(readFileSync(summary.results, 'utf8')) as ResultsDoc;
    const warnings = Object.fromEntries(doc.results.map((r) => [r.garment, r.warnings]));
    expect(warnings.trousers).toEqual([expect.stringMatching(/^right hand hidden at the hip/)]);
    expect(warnings.tee).toBeUndefined();
  });
});
