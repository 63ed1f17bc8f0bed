/**
 * The person analysis's maths without the models: anchors, detector decoding (including the
 * broken anchors the real model emits), crop geometry, box means, the guided filter's edge
 * snapping (and its exact shortcut), heatmap refinement, the pass plausibility check and the
 * OpenPose-18 mapping.
 */
import { describe, expect, it } from 'vitest';
import { ANCHORS, ANCHOR_COUNT, decodeDetections } from '../src/models/blazepose-detector.ts';
import { refineFromHeatmap } from '../src/models/blazepose-landmarks.ts';
import { alignmentRect, applyAffine, invertAffine, letterboxAffine, rectToAffine } from '../src/models/crop.ts';
import { applyColorCoefficients, boxMean, refinedMask } from '../src/person/mask.ts';
import { widthFit } from '../src/person/plausible.ts';
import { halveImage } from '../src/person/sample.ts';
import { fitSkinModel } from '../src/person/skin.ts';
import { toOpenPose } from '../src/person/openpose.ts';
import { KEYPOINT_NAMES, type Keypoint } from '../src/types.ts';
import { withUnseenLegs } from '../src/person/legs.ts';

describe('detector anchors and decoding', () => {
  it('lays 2254 anchors on the 28/14/7 grids', () => {
    expect(ANCHORS.length).toBe(2 * ANCHOR_COUNT);
    // First anchor: centre of the first 8-px cell; the 14-grid starts after 28*28*2 anchors.
    expect([ANCHORS[0], ANCHORS[1]]).toEqual([0.5 / 28, 0.5 / 28].map(Math.fround));
    expect(ANCHORS[2 * 1568]).toBeCloseTo(0.5 / 14, 6);
    expect(ANCHORS[2 * (1568 + 392)]).toBeCloseTo(0.5 / 7, 6);
  });

  it('decodes a person and ignores broken anchors with huge logits or boxes', () => {
    const raw = new Float32Array(ANCHOR_COUNT * 13).fill(-10);
    const put = (i: number, values: number[]): void => raw.set(values, i * 13);
    const i = 1568 + 392 + 100; // a 7x7-grid anchor
    const [ax, ay] = [ANCHORS[2 * i], ANCHORS[2 * i + 1]];
    // Box 40x40 px offset by (+4, -2); hip centre 60 px below, above-head point 60 px above.
    put(i, [3, 4, -2, 40, 40, 0, 60, 0, -60, 0, 0, 0, 0]);
    put(5, [5000, 1, 1, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0]); // logit in the thousands
    put(6, [8, 1, 1, -30, 1500, 0, 0, 0, 0, 0, 0, 0, 0]); // negative width, huge height
    put(7, [8, Number.NaN, 1, 20, 20, 0, 0, 0, 0, 0, 0, 0, 0]);
    const m = letterboxAffine(448, 448, 224); // 2 photo px per letterbox px
    const dets = decodeDetections(raw, m);
    expect(dets).toHaveLength(1);
    const d = dets[0];
    expect(d.score).toBeCloseTo(1 / (1 + Math.exp(-3)), 5);
    expect((d.x0 + d.x1) / 2).toBeCloseTo((ax * 224 + 4) * 2, 3);
    expect((d.y0 + d.y1) / 2).toBeCloseTo((ay * 224 - 2) * 2, 3);
    expect(d.x1 - d.x0).toBeCloseTo(80, 3);
    expect(d.keypoints[0].y - d.keypoints[1].y).toBeCloseTo(240, 3);
  });

  it('finds nobody when every anchor is unsure', () => {
    expect(decodeDetections(new Float32Array(ANCHOR_COUNT * 13).fill(-5), letterboxAffine(100, 100, 224))).toEqual([]);
  });
});

describe('crop geometry', () => {
  it('makes an upright rect for an upright body and a turned one for a leaning body', () => {
    const up = alignmentRect({ x: 100, y: 300 }, { x: 100, y: 100 });
    expect(up.rotation).toBeCloseTo(0, 9);
    expect(up.size).toBeCloseTo(2 * 200 * 1.25, 9);
    // Head to the right of the hips: the body leans right, the crop turns clockwise (+90 deg).
    expect(alignmentRect({ x: 100, y: 300 }, { x: 300, y: 300 }).rotation).toBeCloseTo(Math.PI / 2, 9);
  });

  it('maps the crop centre to the rect centre and inverts exactly', () => {
    const m = rectToAffine({ cx: 320, cy: 240, size: 500, rotation: 0.4 }, 256);
    const c = applyAffine(m, 128, 128);
    expect([c.x, c.y].map((v) => Math.round(v * 1e6) / 1e6)).toEqual([320, 240]);
    const back = applyAffine(invertAffine(m), 17, 230);
    const there = applyAffine(m, back.x, back.y);
    expect(there.x).toBeCloseTo(17, 9);
    expect(there.y).toBeCloseTo(230, 9);
    // Crop "up" (v decreasing) points along the rotated up direction.
    const top = applyAffine(m, 128, 0);
    expect(Math.atan2(top.x - c.x, -(top.y - c.y))).toBeCloseTo(0.4, 9);
  });
});

describe('box mean and guided filter', () => {
  it('equals a brute-force window mean, borders included', () => {
    const w = 13;
    const h = 9;
    const src = Float32Array.from({ length: w * h }, (_, i) => Math.sin(i * 1.7) * 10);
    const out = boxMean(src, w, h, 3, new Float32Array(w * h), new Float32Array(w * h));
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        let s = 0;
        let n = 0;
        for (let yy = Math.max(0, y - 3); yy <= Math.min(h - 1, y + 3); yy++) {
          for (let xx = Math.max(0, x - 3); xx <= Math.min(w - 1, x + 3); xx++) {
            s += src[yy * w + xx];
            n++;
          }
        }
        expect(out[y * w + x]).toBeCloseTo(s / n, 4);
      }
    }
  });

  it('snaps a blurry segmentation to the photo edge, even where brightness matches', () => {
    // Photo: a skin-coloured square on a grey backdrop of the same luma.
    const W = 128;
    const data = new Uint8Array(W * W * 3);
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 40 && x < 88 && y >= 40 && y < 88;
        data.set(inside ? [215, 160, 130] : [172, 172, 172], (y * W + x) * 3);
      }
    }
    // Segmentation: the same square, blurred over ~12 px, in a crop covering the photo.
    const seg = new Float32Array(256 * 256);
    for (let v = 0; v < 256; v++) {
      for (let u = 0; u < 256; u++) {
        const d = Math.max(Math.abs(u + 0.5 - 128), Math.abs(v + 0.5 - 128)) - 48;
        seg[v * 256 + u] = 1 / (1 + Math.exp(d / 6));
      }
    }
    const crop = rectToAffine({ cx: 64, cy: 64, size: 128, rotation: 0 }, 256);
    const mask = refinedMask({ data, width: W, height: W, channels: 3 }, seg, 256, crop, 8, 5e-4, 2);
    let wrong = 0;
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 40 && x < 88 && y >= 40 && y < 88;
        if (inside !== mask.data[y * W + x] >= 128) wrong++;
      }
    }
    expect(wrong).toBe(0);
    // And the edge is crisp: one pixel off the edge is already near 0 or 255.
    expect(mask.data[64 * W + 38]).toBeLessThan(40);
    expect(mask.data[64 * W + 41]).toBeGreaterThan(215);
  });
});

describe('guided filter shortcut, half level, pass plausibility', () => {
  it('gives exactly the per-pixel result where it skips cells', () => {
    // Random photo and coefficients with large flat runs (as on a real mask) and a varying band.
    let seed = 7;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const [width, height, step] = [61, 47, 4];
    const [gw, gh] = [Math.ceil(width / step), Math.ceil(height / step)];
    const data = new Uint8Array(width * height * 3).map(() => Math.floor(rnd() * 256));
    const coef = [0, 1, 2, 3].map(() => new Float32Array(gw * gh));
    for (let i = 0; i < gw * gh; i++) {
      const kind = rnd();
      for (let m = 0; m < 3; m++) coef[m][i] = kind < 0.6 ? 0 : (rnd() - 0.5) * 0.6;
      coef[3][i] = kind < 0.3 ? 0 : kind < 0.6 ? 1 : rnd();
    }
    const image = { data, width, height, channels: 3 as const };
    const fast = applyColorCoefficients(image, coef, gw, gh, step, 2);
    // Reference: bilinear coefficients and the product at every pixel.
    const at = (map: Float32Array, gx: number, gy: number): number => map[gy * gw + gx];
    let differ = 0;
    for (let y = 0; y < height; y++) {
      const gyf = Math.min(gh - 1, Math.max(0, (y + 0.5) / step - 0.5));
      const y0 = Math.floor(gyf);
      const y1 = Math.min(gh - 1, y0 + 1);
      for (let x = 0; x < width; x++) {
        const gxf = Math.min(gw - 1, Math.max(0, (x + 0.5) / step - 0.5));
        const x0 = Math.floor(gxf);
        const x1 = Math.min(gw - 1, x0 + 1);
        const c = coef.map((m) => {
          const top = at(m, x0, y0) + (at(m, x1, y0) - at(m, x0, y0)) * (gxf - x0);
          const bottom = at(m, x0, y1) + (at(m, x1, y1) - at(m, x0, y1)) * (gxf - x0);
          return top + (bottom - top) * (gyf - y0);
        });
        const o = (y * width + x) * 3;
        const q = c[0] * data[o] + c[1] * data[o + 1] + c[2] * data[o + 2] + c[3] * 255;
        const v = Math.min(255, Math.max(0, Math.round(2 * q - 127.5)));
        if (Math.abs(v - fast.data[y * width + x]) > 1) differ++;
      }
    }
    expect(differ).toBe(0);
  });

  it('halves an image by 2x2 means', () => {
    const data = Uint8Array.from([0, 0, 0, 10, 20, 30, 100, 100, 100, 4, 4, 4, 20, 40, 60, 100, 100, 100]);
    const half = halveImage({ data, width: 3, height: 2, channels: 3 });
    expect([half.width, half.height]).toEqual([1, 1]);
    expect([...half.data]).toEqual([9, 16, 24]);
  });

  it('flags a pass whose shoulders and hips are folded onto the body axis', () => {
    // A 100 px wide silhouette from row 40 to 220 of a 256 crop.
    const seg = new Float32Array(256 * 256);
    for (let y = 40; y < 220; y++) for (let x = 78; x < 178; x++) seg[y * 256 + x] = 1;
    const pose = (half: number, hipHalf: number): Float32Array => {
      const raw = new Float32Array(39 * 5);
      raw.set([128 + half, 60], 11 * 5);
      raw.set([128 - half, 60], 12 * 5);
      raw.set([128 + hipHalf, 160], 23 * 5);
      raw.set([128 - hipHalf, 160], 24 * 5);
      return raw;
    };
    expect(widthFit(pose(38, 20), seg, 256)).toBeGreaterThan(1);
    expect(widthFit(pose(10, 4), seg, 256)).toBeLessThan(1);
    expect(widthFit(pose(38, 20), new Float32Array(256 * 256), 256)).toBeNaN();
  });
});

describe('skin model without a face', () => {
  // A 100x100 photo, all person; the hands around (30, 70) and (70, 70) painted `hand`.
  const photo = (hand: [number, number, number]) => {
    const data = new Uint8Array(100 * 100 * 3).fill(90);
    for (let y = 60; y < 80; y++) for (const x0 of [20, 60]) for (let x = x0; x < x0 + 20; x++) data.set(hand, (y * 100 + x) * 3);
    return { data, width: 100, height: 100, channels: 3 as const };
  };
  const mask = { data: new Uint8Array(100 * 100).fill(255), width: 100, height: 100 };
  // Face keypoints unsure (head out of the frame); wrists, pinkies, index fingers sure.
  const keypoints: Keypoint[] = KEYPOINT_NAMES.map((name) => ({ name, x: 0, y: 0, nx: 0, ny: 0, z: 0, score: 0.1, presence: 0.1 }));
  const put = (i: number, x: number, y: number): void => {
    Object.assign(keypoints[i], { x, y, score: 0.9 });
  };
  put(15, 30, 62); put(17, 26, 78); put(19, 34, 78);
  put(16, 70, 62); put(18, 66, 78); put(20, 74, 78);

  it('samples skin from the hands when the face is out of the frame', () => {
    const model = fitSkinModel(photo([200, 150, 120]), mask, keypoints);
    expect(model?.source).toBe('hands');
    expect(model?.color).toEqual([200, 150, 120]);
  });

  it('refuses gloved hands (not skin-coloured)', () => {
    expect(fitSkinModel(photo([40, 60, 160]), mask, keypoints)).toBeNull();
  });
});

describe('landmark refinement and OpenPose-18', () => {
  it('moves a landmark to its heatmap peak when the peak is confident', () => {
    const raw = new Float32Array(39 * 5);
    raw.set([100, 100, 0, 5, 5], 0); // nose regressed at (100, 100) in the 256 crop
    raw.set([10, 10, 0, 5, 5], 5); // left_eye_inner, heatmap unsure there
    const heat = new Float32Array(64 * 64 * 39);
    heat[(26 * 64 + 27) * 39 + 0] = 0.9; // nose peak at cell (27, 26)
    heat[(2 * 64 + 2) * 39 + 1] = 0.2;
    refineFromHeatmap(raw, heat, 256);
    expect([raw[0], raw[1]]).toEqual([27 * 4, 26 * 4]);
    expect([raw[5], raw[6]]).toEqual([10, 10]);
  });

  it('orders COCO-18 keypoints with the neck between the shoulders and drops unsure ones', () => {
    const kps: Keypoint[] = KEYPOINT_NAMES.map((name, i) => ({ name, x: 10 + i, y: 20 + i, nx: 0, ny: 0, z: 0, score: 0.9, presence: 0.9 }));
    kps[16].score = 0.1; // right wrist unsure
    const op = toOpenPose(kps, 100, 100);
    expect(op).toHaveLength(54);
    expect(op.slice(0, 3)).toEqual([10, 20, 0.9]); // nose
    expect(op.slice(3, 5)).toEqual([(21 + 22) / 2, (31 + 32) / 2]); // neck = mid-shoulders
    expect(op.slice(6, 8)).toEqual([22, 32]); // 2: right shoulder = BlazePose 12
    expect(op.slice(12, 15)).toEqual([0, 0, 0]); // 4: right wrist, unsure
    expect(op.slice(15, 17)).toEqual([21, 31]); // 5: left shoulder = BlazePose 11
    expect(op.slice(51, 53)).toEqual([17, 27]); // 17: left ear = BlazePose 7
  });
});

describe('withUnseenLegs', () => {
  const pose = (kneeScore: number, ankleScore: number): Keypoint[] =>
    KEYPOINT_NAMES.map((name, i) => {
      // Shoulders at x 300/400, hips at 310/390 (y 400), knees and ankles straight below the hips.
      const side = i % 2 === 1 ? 1 : -1;
      const row: Record<number, [number, number]> = { 11: [400, 100], 12: [300, 100], 23: [390, 400], 24: [310, 400], 25: [390, 650], 26: [310, 650], 27: [390, 900], 28: [310, 900] };
      const [x, y] = row[i] ?? [350 + side * 10, 50];
      const score = i === 25 || i === 26 ? kneeScore : i === 27 || i === 28 ? ankleScore : 1;
      return { name, x, y, nx: x / 700, ny: y / 1000, z: 0, score, presence: 1 };
    });

  it('draws unseen knees and ankles in towards the body axis, ankles more', () => {
    const k = withUnseenLegs(pose(0.2, 0.1));
    expect(k[25].x).toBeLessThan(390);
    expect(k[25].x).toBeGreaterThan(350);
    expect(k[26].x).toBeGreaterThan(310);
    expect(390 - k[25].x).toBeLessThan(390 - k[27].x);
    expect(k[25].y).toBeCloseTo(650, 5);
    // Hips untouched.
    expect(k[23].x).toBe(390);
  });

  it('leaves legs the model saw where it put them', () => {
    for (const [knee, ankle] of [[0.9, 0.9], [0.9, 0.1], [0.2, 0.8]]) {
      const k = withUnseenLegs(pose(knee, ankle));
      expect([k[25].x, k[26].x, k[27].x, k[28].x]).toEqual([390, 310, 390, 310]);
    }
  });
});
