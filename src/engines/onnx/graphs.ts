/**
 * The two ONNX graphs that do the per-pair pixel work, built with src/onnx/graph.ts and run
 * through the model registry, so they run on the same execution provider as the models.
 *
 * warp (inputs tex [1,7,th,tw] f32, grid [1,9,r,c] f32, hw [2] i64; output layers [1,8,h,w]):
 *   upsample the coarse inverse-warp grid (Resize, align_corners), GridSample the garment
 *   texture (premultiplied RGB, one alpha per part, whole alpha) once per map, and keep each map's own
 *   part: channels 0-3 the main part, 4-7 both sleeves, premultiplied RGBA.
 *
 * composite (inputs layers, photo [1,h,w,3] u8, masks [1,h,w,6] u8, skin [1,3,1,1] f32,
 *   means [1,3,1,1] f32; outputs image [1,h,w,3] u8, alpha, exposed [1,h,w,1] u8, warped [1,h,w,3] u8):
 *   arms in front of the torso part (under their sleeves), occluders on top, the photo's
 *   low-frequency shading per material, old garment not covered turned into shaded skin (or
 *   background outside the body), everything blended with soft edges.
 *
 * The mask channels and the texture layout are the engines' contract (../contract.ts).
 */
import { attr, DataType, GraphBuilder } from '../../onnx/graph.ts';
import { FORM_SCALE, MASK, MASK_CHANNELS, SHADE, TEX_CHANNELS } from '../contract.ts';

const EPS = 1e-4;

function channels(g: GraphBuilder, x: string, from: number, to: number): string {
  return g.op('Slice', [x, g.constI64([from]), g.constI64([to]), g.constI64([1])]);
}

function scalar(g: GraphBuilder, v: number): string {
  return g.constF32([v], []);
}

export function buildWarpGraph(): Uint8Array {
  const g = new GraphBuilder('tryon-warp');
  const tex = g.input('tex', DataType.FLOAT, [1, TEX_CHANNELS, 'th', 'tw']);
  const grid = g.input('grid', DataType.FLOAT, [1, 9, 'gr', 'gc']);
  const hw = g.input('hw', DataType.INT64, [2]);
  const sizes = g.op('Concat', [g.constI64([1, 9]), hw], { axis: attr.int(0) });
  const full = g.op('Resize', [grid, '', '', sizes], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string('align_corners'),
  });
  const layers: { p: string; a: string }[] = [];
  for (let m = 0; m < 3; m++) {
    const xy = g.op('Transpose', [channels(g, full, 3 * m, 3 * m + 2)], { perm: attr.ints([0, 2, 3, 1]) });
    const allow = channels(g, full, 3 * m + 2, 3 * m + 3);
    const s = g.op('GridSample', [tex, xy], {
      mode: attr.string('bilinear'),
      padding_mode: attr.string('zeros'),
      align_corners: attr.int(0),
    });
    const rgbP = channels(g, s, 0, 3);
    const total = channels(g, s, 6, 7);
    const part = g.op('Mul', [channels(g, s, 3 + m, 4 + m), g.op('Clip', [allow, scalar(g, 0), scalar(g, 1)])]);
    // The part's share of the premultiplied colour sampled there.
    const share = g.op('Div', [part, g.op('Max', [total, scalar(g, EPS)])]);
    layers.push({ p: g.op('Mul', [rgbP, share]), a: part });
  }
  // Sleeves: left over right (they overlap only when the arms cross).
  const [main, left, right] = layers;
  const invL = g.op('Sub', [scalar(g, 1), left.a]);
  const sleeveP = g.op('Add', [left.p, g.op('Mul', [right.p, invL])]);
  const sleeveA = g.op('Add', [left.a, g.op('Mul', [right.a, invL])]);
  const out = g.op('Concat', [main.p, main.a, sleeveP, sleeveA], { axis: attr.int(1) });
  g.output(out, 'layers', DataType.FLOAT, [1, 8, 'h', 'w']);
  return g.build({ docString: 'tryon warp: coarse inverse TPS grid -> GridSample of the garment parts' });
}

/** [1,h,w,c] uint8 -> [1,c,h,w] float 0..1. */
function fromBytes(g: GraphBuilder, x: string): string {
  const f = g.op('Cast', [x], { to: attr.int(DataType.FLOAT) });
  return g.op('Mul', [g.op('Transpose', [f], { perm: attr.ints([0, 3, 1, 2]) }), scalar(g, 1 / 255)]);
}

/** [1,c,h,w] float 0..1 -> [1,h,w,c] uint8, rounded. */
function toBytes(g: GraphBuilder, x: string): string {
  const scaled = g.op('Clip', [g.op('Add', [g.op('Mul', [x, scalar(g, 255)]), scalar(g, 0.5)]), scalar(g, 0), scalar(g, 255)]);
  const t = g.op('Transpose', [scaled], { perm: attr.ints([0, 2, 3, 1]) });
  return g.op('Cast', [t], { to: attr.int(DataType.UINT8) });
}

/** 3x3 box blur: a 1-px feather for hard label edges. */
function feather(g: GraphBuilder, x: string): string {
  return g.op('AveragePool', [x], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(0) });
}

/**
 * Low-pass at 1/`pool` resolution (box average then 3x3 smoothing), still coarse; `up`
 * brings it back to full size.
 */
function coarse(g: GraphBuilder, x: string, pool: number): string {
  const down = g.op('AveragePool', [x], { kernel_shape: attr.ints([pool, pool]), strides: attr.ints([pool, pool]), ceil_mode: attr.int(1), count_include_pad: attr.int(0) });
  // Two 3x3 passes: bilinear upsampling of a cell grid shows the cells where neighbours differ.
  const smooth = (v: string): string =>
    g.op('AveragePool', [v], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]), pads: attr.ints([1, 1, 1, 1]), count_include_pad: attr.int(0) });
  return smooth(smooth(down));
}

function up(g: GraphBuilder, x: string, sizes: string): string {
  return g.op('Resize', [x, '', '', sizes], { mode: attr.string('linear'), coordinate_transformation_mode: attr.string('half_pixel') });
}

function div(g: GraphBuilder, a: string, b: string): string {
  return g.op('Div', [a, g.op('Max', [b, scalar(g, EPS)])]);
}

function one(g: GraphBuilder, x: string): string {
  return g.op('Sub', [scalar(g, 1), x]);
}

/** @param pool low-pass cell size in pixels (the shading's scale), a power of two 4..32. */
export function buildCompositeGraph(pool: number): Uint8Array {
  const g = new GraphBuilder('tryon-composite');
  const layers = g.input('layers', DataType.FLOAT, [1, 8, 'h', 'w']);
  const photo8 = g.input('photo', DataType.UINT8, [1, 'h', 'w', 3]);
  const masks8 = g.input('masks', DataType.UINT8, [1, 'h', 'w', MASK_CHANNELS]);
  const skin = g.input('skin', DataType.FLOAT, [1, 3, 1, 1]);
  const means = g.input('means', DataType.FLOAT, [1, 3, 1, 1]);

  const photo = fromBytes(g, photo8);
  const masks = fromBytes(g, masks8);
  const shape = g.op('Shape', [photo8]);
  const hw = g.op('Slice', [shape, g.constI64([1]), g.constI64([3]), g.constI64([0])]);
  const size1 = g.op('Concat', [g.constI64([1, 1]), hw], { axis: attr.int(0) });
  const size3 = g.op('Concat', [g.constI64([1, 3]), hw], { axis: attr.int(0) });

  const occ = feather(g, channels(g, masks, MASK.occluder, MASK.occluder + 1));
  const armFront = feather(g, channels(g, masks, MASK.armFront, MASK.armFront + 1));
  // The old garment grows by two pixels before feathering: its anti-aliased rim, a collar's
  // edge the parsing gave to the neck, thin straps must go too, not half.
  // A 5x5 feather (not 3x3): the parsing's labels come up from a coarser grid in steps, and a
  // 1-px ramp shows those steps as a staircase along the new skin's edge.
  const oldGrown = g.op('MaxPool', [channels(g, masks, MASK.old, MASK.old + 1)], { kernel_shape: attr.ints([5, 5]), strides: attr.ints([1, 1]), pads: attr.ints([2, 2, 2, 2]) });
  const old = g.op('AveragePool', [oldGrown], { kernel_shape: attr.ints([5, 5]), strides: attr.ints([1, 1]), pads: attr.ints([2, 2, 2, 2]), count_include_pad: attr.int(0) });
  const inside = feather(g, channels(g, masks, MASK.inside, MASK.inside + 1));
  const bg = channels(g, masks, MASK.background, MASK.background + 1);

  // Layer order: main part, arms in front of it, sleeves over the arms, occluders over all.
  const mainP = channels(g, layers, 0, 3);
  const mainA = channels(g, layers, 3, 4);
  const sleeveP = channels(g, layers, 4, 7);
  const sleeveA = channels(g, layers, 7, 8);
  const behindArm = g.op('Mul', [one(g, armFront), one(g, sleeveA)]);
  const premult = g.op('Mul', [g.op('Add', [sleeveP, g.op('Mul', [mainP, behindArm])]), one(g, occ)]);
  const alpha = g.op('Mul', [g.op('Add', [sleeveA, g.op('Mul', [mainA, behindArm])]), one(g, occ)]);
  const colour = div(g, premult, alpha);

  // Shading: the low-passed luminance of the old garment over its mean (normalised convolution,
  // so the skin or backdrop next to it does not leak in), faded to 1 towards the old garment's
  // edge so no step shows where it ended. Over skin, trousers or backdrop (a longer or wider new
  // garment) the gain is 1: their patterns would print through.
  const lum = g.op('ReduceSum', [g.op('Mul', [photo, g.constF32([0.299, 0.587, 0.114], [1, 3, 1, 1])]), g.constI64([1])], { keepdims: attr.int(1) });
  const oldLow = coarse(g, old, pool);
  const local = up(g, div(g, coarse(g, g.op('Mul', [lum, old]), pool), oldLow), size1);
  const fade = g.op('Clip', [g.op('Mul', [g.op('Sub', [up(g, oldLow, size1), scalar(g, 0.3)]), scalar(g, 2)]), scalar(g, 0), scalar(g, 1)]);
  // (local + k) / (mean + k): on a dark old garment the same folds are a small change in
  // luminance but a large ratio; the offset keeps its shading as gentle as a light one's.
  const k = scalar(g, SHADE.offset);
  const rel = g.op('Sub', [div(g, g.op('Add', [local, k]), g.op('Add', [channels(g, means, 0, 1), k])), scalar(g, 1)]);
  const ratio = g.op('Add', [scalar(g, 1), g.op('Mul', [rel, fade])]);
  const gain = (gamma: number, lo: number, hi: number): string =>
    g.op('Clip', [g.op('Pow', [g.op('Max', [ratio, scalar(g, EPS)]), scalar(g, gamma)]), scalar(g, lo), scalar(g, hi)]);
  const shaded = g.op('Mul', [colour, gain(SHADE.garmentGamma, SHADE.garmentLo, SHADE.garmentHi)]);

  // Skin for uncovered old garment: the person's own skin colour (measured on the visible skin
  // near the garment, see masks.ts), shaded like the photo. Within reach of visible skin (the
  // hand below a painted forearm, the neck above a painted chest) it leans towards that skin's
  // own colour, so the two meet without a seam; the lean is partial because the nearby skin is
  // lit differently and a few of its pixels may be mislabelled.
  const real = channels(g, masks, MASK.skin, MASK.skin + 1);
  // Cells of 4 * wide px (about 0.8 shoulder widths, pool being a twentieth): the skin the
  // person shows around the painted area, not just the pixels next to it.
  const wide = Math.min(pool * 4, 64);
  const realDen = coarse(g, coarse(g, real, 4), wide);
  const realNum = coarse(g, coarse(g, g.op('Mul', [photo, real]), 4), wide);
  const near = up(g, div(g, realNum, realDen), size3);
  const nearConf = up(g, g.op('Clip', [g.op('Mul', [realDen, scalar(g, 8)]), scalar(g, 0), scalar(g, 0.8)]), size1);
  // Its lightness is kept within 15% of the global skin colour's (a lit cheek must not
  // brighten a shaded arm).
  const lumOf = (x: string): string => g.op('ReduceSum', [g.op('Mul', [x, g.constF32([0.299, 0.587, 0.114], [1, 3, 1, 1])]), g.constI64([1])], { keepdims: attr.int(1) });
  const skinLum = lumOf(skin);
  const nearLum = lumOf(near);
  const lumFix = g.op('Clip', [div(g, skinLum, nearLum), scalar(g, 0.87), scalar(g, 1.15)]);
  const nearFixed = g.op('Mul', [near, lumFix]);
  const localSkin = g.op('Add', [g.op('Mul', [skin, one(g, nearConf)]), g.op('Mul', [nearFixed, nearConf])]);
  const form = g.op('Mul', [channels(g, masks, MASK.form, MASK.form + 1), scalar(g, 1 / FORM_SCALE)]);
  const skinFill = g.op('Mul', [g.op('Mul', [localSkin, gain(SHADE.skinGamma, SHADE.skinLo, SHADE.skinHi)]), form]);

  // Outside the body the old garment becomes background: the nearby background, averaged.
  const bgNum = coarse(g, coarse(g, g.op('Mul', [photo, bg]), 4), pool);
  const bgDen = coarse(g, coarse(g, bg, 4), pool);
  const bgPlate = up(g, div(g, bgNum, bgDen), size3);
  const bgConf = up(g, g.op('Clip', [g.op('Mul', [bgDen, scalar(g, 20)]), scalar(g, 0), scalar(g, 1)]), size1);
  const outsideFill = g.op('Add', [g.op('Mul', [bgPlate, bgConf]), g.op('Mul', [skinFill, one(g, bgConf)])]);
  const fill = g.op('Add', [g.op('Mul', [skinFill, inside]), g.op('Mul', [outsideFill, one(g, inside)])]);

  // Old-garment pixels that already look like the nearby skin (skin the parsing called
  // clothes, a nude strap) are kept: replacing skin with skin only loses the photo's detail.
  const diff = g.op('Sub', [photo, localSkin]);
  const dist = g.op('Sqrt', [g.op('ReduceSum', [g.op('Mul', [diff, diff]), g.constI64([1])], { keepdims: attr.int(1) })]);
  const unlike = g.op('Clip', [g.op('Mul', [g.op('Sub', [dist, scalar(g, 0.04)]), scalar(g, 20)]), scalar(g, 0), scalar(g, 1)]);
  const exposed = g.op('Mul', [g.op('Mul', [old, one(g, alpha)]), unlike]);
  const base = g.op('Add', [g.op('Mul', [photo, one(g, exposed)]), g.op('Mul', [fill, exposed])]);
  const result = g.op('Add', [g.op('Mul', [base, one(g, alpha)]), g.op('Mul', [shaded, alpha])]);

  g.output(toBytes(g, result), 'image', DataType.UINT8, [1, 'h', 'w', 3]);
  g.output(toBytes(g, alpha), 'alpha', DataType.UINT8, [1, 'h', 'w', 1]);
  g.output(toBytes(g, exposed), 'exposed', DataType.UINT8, [1, 'h', 'w', 1]);
  g.output(toBytes(g, g.op('Mul', [colour, alpha])), 'warped', DataType.UINT8, [1, 'h', 'w', 3]);
  return g.build({ docString: `tryon composite: layers, occlusion, shading (pool ${pool}), exposed skin` });
}
