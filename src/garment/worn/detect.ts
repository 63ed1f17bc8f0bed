/**
 * Whether a garment photo shows someone wearing the garment (source 'auto'): the person
 * detector (BlazePose's, already loaded for person photos) runs once on a 224 letterbox of the
 * photo. Measured on the shared photographs: every person photo scores 0.82-0.97, every
 * product photo below 0.52 (two at 0.51, none between 0.52 and 0.82). So
 *
 *   score >= WORN_SCORE                        worn
 *   AMBIGUOUS_SCORE <= score < WORN_SCORE      worn only when the person analysis finds a body
 *                                              with its face in view (a plain product photo
 *                                              cannot explain a face)
 *   score < AMBIGUOUS_SCORE                    a product photo (today's path)
 *
 * The detector is keyed on faces, so a headless on-model shot scores low and is read as a
 * product photo: ask for source 'worn' there.
 */
import type { ModelRegistry } from '../../models/registry.ts';
import { DETECTOR_SIZE, runDetector } from '../../models/blazepose-detector.ts';
import { letterboxAffine } from '../../models/crop.ts';
import { sampleCrop } from '../../person/sample.ts';
import type { PersonAnalysis, RawImage } from '../../types.ts';

export const WORN_SCORE = 0.7;
export const AMBIGUOUS_SCORE = 0.5;

/** The best person-detection score on the photo's letterbox (0 when nobody at all). */
export async function personScore(image: RawImage, registry: ModelRegistry): Promise<number> {
  const view = letterboxAffine(image.width, image.height, DETECTOR_SIZE);
  // Mid-grey (0) outside the photo, as the person analysis letterboxes.
  const input = sampleCrop(image, view, DETECTOR_SIZE, 1 / 127.5, -1, 1);
  const people = (await runDetector(registry, input, view)).people(0.05);
  return people.length ? people[0].score : 0;
}

/** BlazePose face keypoints: nose, eyes, mouth corners. */
const FACE = [0, 2, 5, 9, 10];

/**
 * Whether a person analysis sees an upright person's face: every face keypoint confidently in
 * the photo, above the shoulders, which are above the hips (a pair of jeans can pass for a
 * person upside down, its waistband for a face: seen on the shared product photos).
 */
export function faceInView(person: PersonAnalysis): boolean {
  const k = person.keypoints;
  const seen = FACE.every((i) => k[i].score >= 0.8 && k[i].x >= 0 && k[i].y >= 0 && k[i].x < person.width && k[i].y < person.height);
  const shoulders = (k[11].y + k[12].y) / 2;
  const hips = (k[23].y + k[24].y) / 2;
  return seen && FACE.every((i) => k[i].y < shoulders) && shoulders < hips;
}
