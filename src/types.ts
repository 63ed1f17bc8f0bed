/**
 * All result types of the library in one place. Conventions:
 * - Pixel coordinates are in the full-resolution, EXIF-oriented image; x right, y down.
 * - "left"/"right" always mean the WEARER's left/right (as BlazePose and FashionAI name
 *   them). In a front-facing photo the wearer's left appears on the image's RIGHT (larger x).
 * - Masks are 8-bit, 0..255, one byte per pixel, row-major, same size as their image.
 */

/** Raw interleaved 8-bit pixels. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** One byte per pixel: 0 = outside, 255 = inside; values between are soft edges. */
export interface Mask {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type RGB = [number, number, number];

// ---------------------------------------------------------------- person

/** BlazePose's 33 keypoints, in model order. */
export const KEYPOINT_NAMES = [
  'nose', 'left_eye_inner', 'left_eye', 'left_eye_outer', 'right_eye_inner', 'right_eye',
  'right_eye_outer', 'left_ear', 'right_ear', 'mouth_left', 'mouth_right', 'left_shoulder',
  'right_shoulder', 'left_elbow', 'right_elbow', 'left_wrist', 'right_wrist', 'left_pinky',
  'right_pinky', 'left_index', 'right_index', 'left_thumb', 'right_thumb', 'left_hip',
  'right_hip', 'left_knee', 'right_knee', 'left_ankle', 'right_ankle', 'left_heel',
  'right_heel', 'left_foot_index', 'right_foot_index',
] as const;
export type KeypointName = (typeof KEYPOINT_NAMES)[number];

export interface Keypoint {
  name: KeypointName;
  /** Pixels in the full-resolution image. */
  x: number;
  y: number;
  /** Normalised to [0, 1] by image width / height. */
  nx: number;
  ny: number;
  /** Relative depth from the model (same scale as x in the ROI); smaller is nearer. */
  z: number;
  /** Visibility probability (sigmoid of the model's logit), 0..1. */
  score: number;
  /** Presence probability (sigmoid of the model's logit), 0..1. */
  presence: number;
}

/** Body-part parsing labels, the values of `PersonAnalysis.parsing.data`. */
export const PARSING_LABELS = [
  'background', // 0
  'hair', // 1
  'face', // 2
  'neck', // 3  neck skin
  'upper_clothes', // 4  torso covered by the upper garment (or a dress's top)
  'lower_clothes', // 5  pelvis and legs covered by trousers/skirt (or a dress's skirt)
  'left_arm', // 6  the wearer's left arm from shoulder to wrist, sleeve or skin
  'right_arm', // 7
  'hands', // 8
  'legs', // 9  exposed leg skin
  'shoes', // 10
  'torso_skin', // 11 exposed torso skin (low necklines, midriff)
] as const;
export type ParsingLabel = (typeof PARSING_LABELS)[number];
export const LABEL: { [K in ParsingLabel]: number } = Object.fromEntries(
  PARSING_LABELS.map((n, i) => [n, i]),
) as { [K in ParsingLabel]: number };

export interface LabelMap {
  data: Uint8Array; // label ids, see PARSING_LABELS
  width: number;
  height: number;
}

/**
 * Poses and layers the renderer does not handle well (src/person/posture.ts): each true flag
 * adds a warning to the try-ons of the garment categories it spoils.
 */
export interface Posture {
  /** Knees nearly level with the hips: sitting (legs and lap are not fitted). */
  seated: boolean;
  /** Both wrists in front of the torso, past the body's midline. */
  armsCrossed: boolean;
  /** Wearer's sides whose hand is hidden at the hip: in a pocket, or behind the body. */
  handsInPockets: ('left' | 'right')[];
  /** A three-quarter or side view: shoulders narrow for the torso, or one shoulder hidden. */
  turned: boolean;
  /** An open jacket or coat over a top: a band of one colour down the middle, another on both sides. */
  openJacket: boolean;
}

export interface PersonAnalysis {
  /** sha256 of the input bytes + analysis options: the cache key. */
  key: string;
  width: number;
  height: number;
  /** The photo, EXIF-oriented, RGB, full resolution. */
  image: RawImage;
  /** 33 BlazePose keypoints. */
  keypoints: Keypoint[];
  /** Person box in pixels. */
  box: Box;
  /** Detection confidence 0..1. */
  score: number;
  /** Person mask at full resolution, edge-refined. */
  mask: Mask;
  /** Body-part parsing at full resolution. */
  parsing: LabelMap;
  /** Per-pixel skin likelihood 0..255 at full resolution (colour model from the face). */
  skin: Mask;
  /** Mean skin colour sampled from the face/neck. */
  skinColor: RGB;
  /** OpenPose-18 `pose_keypoints_2d`: [x, y, score] x 18 in pixels (0,0,0 when missing). */
  openpose: number[];
  /** Poses and layers that some garments do not fit well (their warnings come with each try-on). */
  posture: Posture;
  warnings: string[];
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

// ---------------------------------------------------------------- garment

export const GARMENT_CATEGORIES = ['upper', 'lower', 'dress'] as const;
export type GarmentCategory = (typeof GARMENT_CATEGORIES)[number];

/** Known garment types and the category each implies. */
export const GARMENT_TYPES = {
  tshirt: 'upper',
  polo: 'upper',
  shirt: 'upper',
  top: 'upper',
  blouse: 'upper',
  sweater: 'upper',
  tank: 'upper',
  longsleeve: 'upper',
  trousers: 'lower',
  jeans: 'lower',
  shorts: 'lower',
  skirt: 'lower',
  dress: 'dress',
} as const satisfies Record<string, GarmentCategory>;
export type GarmentType = keyof typeof GARMENT_TYPES;

/** FashionAI-style landmark names (wearer's left/right). */
export const UPPER_LANDMARKS = [
  'neckline_left', 'neckline_right', 'center_front', 'shoulder_left', 'shoulder_right',
  'armpit_left', 'armpit_right', 'cuff_left_in', 'cuff_left_out', 'cuff_right_in',
  'cuff_right_out', 'top_hem_left', 'top_hem_right',
] as const;
export const LOWER_LANDMARKS = [
  'waistband_left', 'waistband_right', 'crotch', 'bottom_left_in', 'bottom_left_out',
  'bottom_right_in', 'bottom_right_out',
] as const;
export const DRESS_LANDMARKS = [...UPPER_LANDMARKS, 'hemline_left', 'hemline_right'] as const;
export type UpperLandmarkName = (typeof UPPER_LANDMARKS)[number];
export type LowerLandmarkName = (typeof LOWER_LANDMARKS)[number];
export type DressLandmarkName = (typeof DRESS_LANDMARKS)[number];
export type GarmentLandmarkName = UpperLandmarkName | LowerLandmarkName | DressLandmarkName;

/**
 * Every landmark of a category, in pixels: what a template draws, and what the fit works with
 * once it has filled in what an analysis could not place (src/fit/landmarks.ts).
 */
export type UpperLandmarks = Record<UpperLandmarkName, Point>;
export type LowerLandmarks = Record<LowerLandmarkName, Point>;
export type DressLandmarks = Record<DressLandmarkName, Point>;
/** The landmarks an analysis placed: those of its category it found (a photo may hide some). */
export type FoundLandmarks = Partial<Record<GarmentLandmarkName, Point>>;

export type SleeveLength = 'none' | 'short' | 'long';

/**
 * Where a garment analysis came from: a product photo, a garment drawn by the tool, or a photo
 * of someone wearing it (cut out of the person by the parsing, src/garment/worn/).
 */
export type GarmentSource = 'photo' | 'template' | 'worn';
/** What a caller may ask of a garment photo: read it as a product photo, as worn, or decide (auto). */
export const GARMENT_PHOTO_SOURCES = ['auto', 'photo', 'worn'] as const;
export type GarmentPhotoSource = (typeof GARMENT_PHOTO_SOURCES)[number];

export interface GarmentAnalysis {
  /** sha256 of input bytes (or template spec) + options: the cache key. */
  key: string;
  source: GarmentSource;
  type: GarmentType;
  category: GarmentCategory;
  width: number;
  height: number;
  /** Garment pixels, RGB, recoloured when a colour was asked for. */
  image: RawImage;
  /** Garment mask (soft edges), same size as `image`. */
  mask: Mask;
  /** Landmarks of its category, in pixels of `image`. A sleeveless garment's cuffs sit at the armholes. */
  landmarks: FoundLandmarks;
  sleeve: SleeveLength;
  cropped: boolean;
  /** Dominant colour of the garment. */
  color: RGB;
  warnings: string[];
}

// ---------------------------------------------------------------- fit and render

export const SIZES = ['S', 'M', 'L', 'XL'] as const;
export type Size = (typeof SIZES)[number];

export const OUTPUT_FORMATS = ['jpeg', 'png', 'webp'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface TryOnResult {
  /** RGB, same size as the person photo. */
  image: RawImage;
  /** Debug layers, full resolution (absent when the try-on was asked for none). */
  layers?: {
    garmentMask: Mask; // where the new garment is, after occlusion
    warpedGarment: RawImage; // the warped garment before compositing (RGB)
    exposedSkin: Mask; // where old garment was replaced by skin
  };
  /**
   * What the try-on could not do well (set by Tryon.tryOn): the person analysis's warnings,
   * those of the person's posture for this garment's category, then the garment's.
   */
  warnings?: string[];
  timings: Record<string, number>;
}
