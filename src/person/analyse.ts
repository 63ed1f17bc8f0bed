/**
 * Person analysis from one photo: pose (33 keypoints), person mask, body-part parsing, skin
 * likelihood and OpenPose-18, all at the photo's full resolution.
 *
 *   decode (EXIF-oriented) -> 512px working copy and its 2x2-mean half (for crops that shrink 2x+)
 *   -> detector on a 224 letterbox of the whole photo -> most prominent person
 *   -> landmarks on the rotated ROI crop (MediaPipe alignment rect from the detector's hip
 *      centre and above-head points), then a second pass on a tighter crop framing the first
 *      pass's keypoints, refined from the heatmaps (measured: median keypoint drift under a
 *      shift+scale of the photo 6.5 px -> 2.9 px, joints outside the mask 2/222 -> 0/223);
 *      the second pass is dropped when its shoulders/hips are far narrower than its own
 *      silhouette and the first pass's are not (plausible.ts)
 *   -> segmentation pulled back to full resolution and edge-refined with a guided filter
 *   -> skin model from the face -> parsing -> OpenPose-18
 */
import sharp from 'sharp';
import { decodeImage } from '../image/decode.ts';
import { TryonError } from '../errors.ts';
import type { ModelRegistry } from '../models/registry.ts';
import type { Box, Keypoint, Mask, PersonAnalysis, RawImage } from '../types.ts';
import { DETECTOR_SIZE, runDetector, type Detection, type DetectorResult } from '../models/blazepose-detector.ts';
import { decodeLandmarks, LANDMARK_SIZE, refineFromHeatmap, runLandmarks, type DecodedLandmarks, type LandmarksResult } from '../models/blazepose-landmarks.ts';
import { alignmentRect, letterboxAffine, rectToAffine, type Affine, type RotatedRect } from '../models/crop.ts';
import { balanced, castGains } from './cast.ts';
import { refinedMask } from './mask.ts';
import { toOpenPose } from './openpose.ts';
import { maskBounds, parseBody } from './parsing.ts';
import { headBodyMismatch, widthFit } from './plausible.ts';
import { readPosture } from './posture.ts';
import { fitSkinModel, skinLikelihood } from './skin.ts';
import { halveImage, sampleCrop } from './sample.ts';

export interface PersonOptions {
  /** Input name for messages (a path, an upload field). */
  name: string;
  /** Cache key (sha256 of the bytes and options), stored in the result. */
  key: string;
  /** Refuse photos with more pixels than this. */
  maxPixels: number;
  landmarkModel: 'lite' | 'full' | 'heavy';
  /** Landmark passes: 1 = detector ROI only, 2 = re-crop from the first pass (default). */
  passes?: 1 | 2;
  /** A photo with a longer side is analysed (and so rendered) downscaled to it (default MAX_SIDE). */
  maxSide?: number;
}

/** Default longest side of the photo the analysis keeps (config person.maxSide). */
export const MAX_SIDE = 2560;

/** Longest side of the copy the networks' crops are sampled from (their inputs are 224/256). */
const WORK_SIDE = 512;
/** Below this landmark-model flag the crop holds no person after all. */
const MIN_POSE_FLAG = 0.5;
/** Detector score above which a candidate is tried when nothing scored MIN_DETECTION_SCORE. */
const WEAK_DETECTION_SCORE = 0.2;
/** The pose flag a weak detection needs to count as a person. */
const MIN_POSE_FLAG_WEAK = 0.8;
/** Second-pass crop side over the keypoints' extent. */
const TIGHT_MARGIN = 1.3;
/** Guided-filter regulariser (luma in [0, 1]): lower follows the photo's edges more closely. */
const MASK_EPS = 5e-4;
/** Steepness of the mask's soft edge around 0.5. */
const MASK_GAIN = 2;

async function workingCopy(image: RawImage, side = WORK_SIDE, kernel: 'linear' | 'lanczos3' = 'linear'): Promise<RawImage> {
  const scale = side / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  const { data, info } = await sharp(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .resize(Math.max(1, Math.round(image.width * scale)), Math.max(1, Math.round(image.height * scale)), { kernel })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: info.channels as 3 };
}

/** A crop->photo map turned into a crop->working-copy map. */
function toWork(m: Affine, sx: number, sy: number): Affine {
  return { a: m.a * sx, b: m.b * sx, c: m.c * sx, d: m.d * sy, e: m.e * sy, f: m.f * sy };
}

function personBox(mask: Mask, keypoints: Keypoint[]): Box {
  const { width, height } = mask;
  const b = maskBounds(mask);
  let x0 = b ? b.x0 : width;
  let y0 = b ? b.y0 : height;
  let x1 = b ? b.x1 : -1;
  let y1 = b ? b.y1 : -1;
  for (const k of keypoints) {
    if (k.score < 0.5 || k.x < 0 || k.y < 0 || k.x >= width || k.y >= height) continue;
    x0 = Math.min(x0, Math.floor(k.x));
    y0 = Math.min(y0, Math.floor(k.y));
    x1 = Math.max(x1, Math.ceil(k.x));
    y1 = Math.max(y1, Math.ceil(k.y));
  }
  if (x1 < x0) return { x: 0, y: 0, width: 0, height: 0 };
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

export async function analysePerson(bytes: Buffer | Uint8Array, registry: ModelRegistry, options: PersonOptions): Promise<PersonAnalysis> {
  const timings: Record<string, number> = {};
  const warnings: string[] = [];
  let last = performance.now();
  const lap = (step: string): void => {
    const now = performance.now();
    timings[step] = Math.round((now - last) * 10) / 10;
    last = now;
  };
  const started = last;
  const { name } = options;

  const decoded = await decodeImage(bytes, { name, maxPixels: options.maxPixels });
  // A camera's 24 MP shot is analysed, its bare body made and its try-on rendered at a size
  // those steps handle in seconds (their cost grows with the pixels); the result says so.
  const maxSide = options.maxSide ?? MAX_SIDE;
  const image = await workingCopy(decoded.image, maxSide, 'lanczos3');
  if (image !== decoded.image) warnings.push(`photo ${decoded.image.width}x${decoded.image.height} analysed and rendered at ${image.width}x${image.height} (longest side limit ${maxSide} px)`);
  const { width, height } = image;
  // The networks see the working copy with a strong colour cast balanced (cast.ts).
  const unbalanced = await workingCopy(image);
  const gains = castGains(unbalanced);
  const work = gains ? balanced(unbalanced, gains) : unbalanced;
  const half = halveImage(work);
  const sx = work.width / width;
  const sy = work.height / height;
  /** A network input from the photo through `m` (crop -> photo), from the level that fits its scale. */
  const crop = (m: Affine, size: number, scale: number, bias: number, outside: number): Float32Array => {
    const w = toWork(m, sx, sy);
    if (Math.hypot(w.a, w.d) < 2) return sampleCrop(work, w, size, scale, bias, outside);
    // Half-level pixel i is the block of working pixels 2i, 2i+1: exactly half the scale.
    return sampleCrop(half, toWork(m, sx / 2, sy / 2), size, scale, bias, outside);
  };
  lap('decode');

  const { detections, weak } = await detectPeople((view) => runDetector(registry, crop(view, DETECTOR_SIZE, 1 / 127.5, -1, 1), view), width, height);
  if (detections.length === 0) {
    throw new TryonError('NO_PERSON', `${name}: no person found in the photo`, {
      input: name,
      suggestion: 'Use a photo with one person, head to at least the hips in view.',
    });
  }
  const person = mostProminent(detections);
  if (detections.length > 1) warnings.push(`${detections.length} people found; analysed the most prominent one`);
  lap('detect');

  // Landmarks: pass 1 from the detector's alignment points, pass 2 from pass 1's own.
  const runPass = async (rect: RotatedRect): Promise<Pass> => {
    const map = rectToAffine(rect, LANDMARK_SIZE);
    const out = await runLandmarks(registry, crop(map, LANDMARK_SIZE, 1 / 255, 0, 0), { model: options.landmarkModel, heatmap: true });
    if (out.heatmap) refineFromHeatmap(out.landmarks, out.heatmap, LANDMARK_SIZE);
    return { crop: map, out, lm: decodeLandmarks(out.landmarks, map, width, height) };
  };
  // A weak detection's face box is usually right but its body points are not (grey-scale
  // photos): start from the whole photo instead and let the second pass tighten.
  const wholePhoto: RotatedRect = { cx: width / 2, cy: height / 2, size: Math.max(width, height), rotation: 0 };
  const start = weak ? wholePhoto : alignmentRect(person.keypoints[0], person.keypoints[1]);
  const pass = await bestPass(runPass, start, weak ? null : wholePhoto, (options.passes ?? 2) === 2, width, height);
  if (weak) warnings.push(`low person-detection confidence (${detections[0].score.toFixed(2)}); the pose model confirmed a person (${pass.out.poseflag.toFixed(2)})`);
  if (pass.out.poseflag < (weak ? MIN_POSE_FLAG_WEAK : MIN_POSE_FLAG)) {
    throw new TryonError('NO_PERSON', `${name}: no person found in the photo (pose confidence ${pass.out.poseflag.toFixed(2)})`, {
      input: name,
      suggestion: 'Use a photo with one person, head to at least the hips in view.',
    });
  }
  const keypoints = pass.lm.keypoints;
  const mismatch = headBodyMismatch(keypoints);
  if (mismatch) {
    throw new TryonError('NO_PERSON', `${name}: the pose found does not fit a body (${mismatch}); the photo seems to show only the head and shoulders`, {
      input: name,
      suggestion: 'Use a photo that shows the person from the head to at least the hips.',
    });
  }
  lap('landmarks');

  // Mask: segmentation pulled back to the photo, then snapped to the photo's edges.
  const segPixel = Math.hypot(pass.crop.a, pass.crop.d);
  const mask = refinedMask(image, pass.out.segmentation, LANDMARK_SIZE, pass.crop, Math.max(2, segPixel * 1.5), MASK_EPS, MASK_GAIN);
  lap('mask');

  const skinModel = fitSkinModel(image, mask, keypoints);
  if (!skinModel) warnings.push('face and hands not visible enough to sample skin colour; skin labels are off');
  else if (skinModel.source === 'hands') warnings.push('face not in the photo; skin colour sampled from the hands');
  const skin = skinLikelihood(image, mask, skinModel, Math.max(1, Math.round(Math.max(width, height) / 400)));
  lap('skin');

  const parsed = parseBody(image, mask, skin, keypoints, skinModel?.color ?? null);
  lap('parsing');

  const visibleLimbs = [11, 12, 23, 24].filter((i) => keypoints[i].score >= 0.5).length;
  if (visibleLimbs < 4) warnings.push('shoulders or hips not clearly visible; parsing may be rough');
  const posture = readPosture(image, keypoints, mask, parsed.parsing, skin);
  const openpose = toOpenPose(keypoints, width, height);
  const box = personBox(mask, keypoints);
  timings.total = Math.round((performance.now() - started) * 10) / 10;
  return {
    key: options.key,
    width,
    height,
    image,
    keypoints,
    box,
    score: person.score,
    mask,
    parsing: parsed.parsing,
    skin,
    skinColor: skinModel?.color ?? [0, 0, 0],
    openpose,
    posture,
    warnings,
    timings,
  };
}

/** One landmark pass: its crop (crop -> photo), the network's outputs, the keypoints in the photo. */
interface Pass {
  crop: Affine;
  out: LandmarksResult;
  lm: DecodedLandmarks;
}

/**
 * The landmark pass to keep: pass 1 from `start`, then (two passes) pass 2 on a tighter crop of
 * its keypoints. The tighter crop is usually better, but the network can fold a body onto its
 * axis in one crop and not the other; the pass whose widths fit its own silhouette is kept
 * (plausible.ts). When the kept pass is folded all the same (seen on a grey-scale photo of a
 * black dress on white, whose detector box was fine), both are tried again from `retry` (the
 * whole photo) and what fits better is kept; this costs two more passes, on such photos only.
 */
async function bestPass(runPass: (rect: RotatedRect) => Promise<Pass>, start: RotatedRect, retry: RotatedRect | null, twoPasses: boolean, width: number, height: number): Promise<Pass> {
  const fitOf = (p: Pass): number => widthFit(p.out.landmarks, p.out.segmentation, LANDMARK_SIZE);
  const from = async (rect: RotatedRect): Promise<Pass> => {
    const first = await runPass(rect);
    if (!twoPasses || first.out.poseflag < MIN_POSE_FLAG) return first;
    const second = await runPass(tightRect(first.lm.keypoints, alignmentRect(first.lm.alignment[0], first.lm.alignment[1]), width, height));
    const fit2 = fitOf(second);
    return second.out.poseflag >= MIN_POSE_FLAG && !(fit2 < 1 && fitOf(first) > fit2) ? second : first;
  };
  const pass = await from(start);
  if (!retry || !(fitOf(pass) < 1)) return pass;
  const again = await from(retry);
  return again.out.poseflag >= MIN_POSE_FLAG && fitOf(again) > fitOf(pass) ? again : pass;
}

/**
 * The second pass's crop: the first pass's keypoints (clipped to the photo) framed with a
 * margin, turned like the alignment rect. MediaPipe's alignment rect is sized for an imagined
 * full body, so on a knee-length shot it is twice the photo and the 256x256 segmentation
 * comes out coarse; framing what is really in the photo doubles its resolution.
 */
function tightRect(keypoints: Keypoint[], aligned: RotatedRect, width: number, height: number): RotatedRect {
  const cos = Math.cos(aligned.rotation);
  const sin = Math.sin(aligned.rotation);
  // Extent in the rect's own (rotated) frame.
  let u0 = Infinity;
  let u1 = -Infinity;
  let v0 = Infinity;
  let v1 = -Infinity;
  for (const k of keypoints) {
    const x = Math.min(width, Math.max(0, k.x)) - aligned.cx;
    const y = Math.min(height, Math.max(0, k.y)) - aligned.cy;
    const u = cos * x + sin * y;
    const v = -sin * x + cos * y;
    u0 = Math.min(u0, u);
    u1 = Math.max(u1, u);
    v0 = Math.min(v0, v);
    v1 = Math.max(v1, v);
  }
  // Margins: hair above the head keypoints, sleeves and hands beside the arm keypoints.
  const size = Math.min(aligned.size, Math.max(u1 - u0, v1 - v0) * TIGHT_MARGIN);
  const cu = (u0 + u1) / 2;
  const cv = (v0 + v1) / 2 - 0.04 * size;
  return { cx: aligned.cx + cos * cu - sin * cv, cy: aligned.cy + sin * cu + cos * cv, size, rotation: aligned.rotation };
}

/** The person to analyse: largest box weighted by score, so a clear foreground figure wins. */
/**
 * Person detection in up to three tries, stopping at the first that finds someone:
 * 1. the whole photo letterboxed on mid-grey (0 in the detector's [-1, 1]);
 * 2. for a wide or tall photo, overlapping square windows of its shorter side along the longer
 *    one: the detector keys on the face, which a letterbox of a small person in a wide frame
 *    (a street or landscape shot) shrinks below what it sees;
 * 3. the best candidate above a low score (grey-scale and low-contrast photos score low on the
 *    detector alone), marked weak: the caller accepts it only when the landmark model's pose
 *    flag confirms a person with high confidence.
 */
async function detectPeople(
  detect: (view: Affine) => Promise<DetectorResult>,
  width: number,
  height: number,
): Promise<{ detections: Detection[]; weak: boolean }> {
  const tried: DetectorResult[] = [await detect(letterboxAffine(width, height, DETECTOR_SIZE))];
  const found = tried[0].people();
  if (found.length > 0) return { detections: found, weak: false };
  const side = Math.min(width, height);
  const long = Math.max(width, height);
  if (long > 1.25 * side) {
    const count = Math.ceil((2 * long) / side) - 1; // windows overlap by about half
    const s = side / DETECTOR_SIZE;
    let windowed: Detection[] = [];
    for (let i = 0; i < count; i++) {
      const offset = ((long - side) * i) / Math.max(1, count - 1);
      const view: Affine = width >= height ? { a: s, b: 0, c: offset, d: 0, e: s, f: 0 } : { a: s, b: 0, c: 0, d: 0, e: s, f: offset };
      const result = await detect(view);
      tried.push(result);
      windowed = windowed.concat(result.people());
    }
    // Windows overlap, so one person can be found twice: keep the best, without a crowd warning.
    if (windowed.length > 0) return { detections: [windowed.sort((p, q) => q.score - p.score)[0]], weak: false };
  }
  const weak = tried.flatMap((result) => result.people(WEAK_DETECTION_SCORE)).sort((p, q) => q.score - p.score);
  return { detections: weak.slice(0, 1), weak: weak.length > 0 };
}

function mostProminent(detections: Detection[]): Detection {
  let best = detections[0];
  let bestValue = -1;
  for (const d of detections) {
    const value = d.score * Math.hypot(d.keypoints[1].x - d.keypoints[0].x, d.keypoints[1].y - d.keypoints[0].y);
    if (value > bestValue) {
      bestValue = value;
      best = d;
    }
  }
  return best;
}
