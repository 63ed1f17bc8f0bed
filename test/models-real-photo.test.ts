/**
 * The models on real photographs (shared fixtures; skipped when absent). A full-body catalog
 * photo letterboxed to a square is a fair stand-in for a detector ROI: BlazePose full must
 * find the person, put shoulders and hips inside its own person mask, keep the wearer's left
 * on the image right (front-facing shots), and agree with the detector's shoulder keypoint
 * and with its own decoding (the detector module's `people()`).
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createModelRegistry, type ModelRegistry } from '../src/models/registry.ts';
import { detectorInput, runDetector } from '../src/models/blazepose-detector.ts';
import { landmarksInput, runLandmarks } from '../src/models/blazepose-landmarks.ts';
import { HAVE_SHARED, PROJECT_ROOT, personPhotos } from './fixtures.ts';

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const SHOULDER_L = 11, SHOULDER_R = 12, HIP_L = 23, HIP_R = 24;

async function square(file: string, size: number): Promise<Buffer> {
  return sharp(file).removeAlpha().resize(size, size, { fit: 'contain', background: '#808080' }).raw().toBuffer();
}

/** SSD anchor centres of the pose detector (MediaPipe pose_detection config). */
function anchors(): [number, number][] {
  const strides = [8, 16, 32, 32, 32];
  const out: [number, number][] = [];
  for (let l = 0; l < strides.length; ) {
    let n = 0, last = l;
    while (last < strides.length && strides[last] === strides[l]) (n += 2), last++;
    const fm = Math.ceil(224 / strides[l]);
    for (let y = 0; y < fm; y++) for (let x = 0; x < fm; x++) for (let k = 0; k < n; k++) out.push([(x + 0.5) / fm, (y + 0.5) / fm]);
    l = last;
  }
  return out;
}

let registry: ModelRegistry;
beforeAll(async () => {
  registry = await createModelRegistry({ modelsDir: path.join(PROJECT_ROOT, 'models'), device: 'cpu', intraOpThreads: 1 });
});
afterAll(() => registry?.release());

const photos = personPhotos().filter((_, i, all) => i % Math.max(1, Math.floor(all.length / 5)) === 0).slice(0, 5);

describe.skipIf(!HAVE_SHARED)('models on real photos', () => {
  for (const file of photos) {
    it(`${path.basename(file)}: shoulders and hips inside the person mask, detector agrees`, async () => {
      const lm = await runLandmarks(registry, landmarksInput(await square(file, 256)), { model: 'full' });
      expect(lm.poseflag).toBeGreaterThan(0.5);
      const at = (k: number) => ({ x: lm.landmarks[k * 5], y: lm.landmarks[k * 5 + 1], vis: sigmoid(lm.landmarks[k * 5 + 3]) });
      for (const k of [SHOULDER_L, SHOULDER_R, HIP_L, HIP_R]) {
        const p = at(k);
        expect(p.vis, `landmark ${k} visibility`).toBeGreaterThan(0.5);
        const mask = lm.segmentation[Math.round(p.y) * 256 + Math.round(p.x)];
        expect(mask, `mask under landmark ${k} at (${p.x.toFixed(0)}, ${p.y.toFixed(0)})`).toBeGreaterThan(0.5);
      }
      // Front-facing: the wearer's left shoulder/hip is on the image's right.
      expect(at(SHOULDER_L).x).toBeGreaterThan(at(SHOULDER_R).x);
      expect(at(HIP_L).x).toBeGreaterThan(at(HIP_R).x);
      // Shoulders above hips, by a body-like distance.
      expect(at(HIP_L).y - at(SHOULDER_L).y).toBeGreaterThan(30);
      const cover = lm.segmentation.reduce((a, v) => a + (v > 0.5 ? 1 : 0), 0) / lm.segmentation.length;
      expect(cover).toBeGreaterThan(0.08);
      expect(cover).toBeLessThan(0.6);

      // Detector ([-1,1] input): its best sane anchor's hip-centre keypoint is near the landmarks' hips.
      const det = await runDetector(registry, detectorInput(await square(file, 224)));
      const a = anchors();
      let best = -1, bestScore = -Infinity;
      for (let i = 0; i < a.length; i++) {
        const r = det.raw.subarray(i * 13, i * 13 + 13);
        if (r[3] <= 0 || r[4] <= 0 || r[0] > 100) continue; // degenerate anchors (see blazepose-detector.ts)
        if (r[0] > bestScore) (bestScore = r[0]), (best = i);
      }
      expect(sigmoid(bestScore)).toBeGreaterThan(0.5);
      // Keypoint 2 is the shoulder centre; keypoint 0 (MediaPipe's 'hip centre', the centre of the
      // full-body circle) lies below the shoulders (on knee-length shots it lands well below the
      // real hips, as the model extrapolates the whole body).
      const kp = (k: number) => ({ x: a[best][0] * 224 + det.raw[best * 13 + 5 + 2 * k], y: a[best][1] * 224 + det.raw[best * 13 + 6 + 2 * k] });
      const lmShoulder = { x: ((at(SHOULDER_L).x + at(SHOULDER_R).x) / 2) * (224 / 256), y: ((at(SHOULDER_L).y + at(SHOULDER_R).y) / 2) * (224 / 256) };
      expect(Math.hypot(kp(2).x - lmShoulder.x, kp(2).y - lmShoulder.y), 'detector shoulder centre vs landmarks (224 px)').toBeLessThan(12);
      expect(kp(0).y).toBeGreaterThan(kp(2).y + 30);
      // The module's own decoding (plausible anchors, weighted NMS) finds one person there.
      const people = det.people();
      expect(people.length).toBeGreaterThanOrEqual(1);
      expect(Math.hypot(people[0].keypoints[2].x - kp(2).x, people[0].keypoints[2].y - kp(2).y), 'decoded vs raw best anchor shoulder centre').toBeLessThan(12);
    });
  }
});
