/**
 * The two ONNX graphs that do the per-pair pixel work, built with src/onnx/graph.ts and run
 * through the model registry, so they run on the same execution provider as the models.
 *
 * warp (inputs tex [1,7,th,tw] f32, grid [1,9,r,c] f32, hw [2] i64; output layers [1,8,h,w]):
 *   upsample the coarse inverse-warp grid (Resize, align_corners), GridSample the garment
 *   texture (premultiplied RGB, one alpha per part, whole alpha) once per map, and keep each map's own
 *   part: channels 0-3 the main part, 4-7 both sleeves, premultiplied RGBA.
 *
 * composite (inputs layers, photo [1,h,w,3] u8, bare [1,h,w,3] u8, masks [1,h,w,3] u8, means
 *   [1,1,1,1] f32; outputs image [1,h,w,3] u8, alpha, exposed [1,h,w,1] u8, warped [1,h,w,3] u8):
 *   the new garment over the bare body (the photo with the old garment taken off), arms in front
 *   of its main part (under its sleeves), occluders on top, shaded by the old garment's folds.
 */
import { attr, DataType, GraphBuilder } from '../../onnx/graph.ts';
import { MASK, MASK_CHANNELS, SHADE, TEX_CHANNELS } from '../contract.ts';

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

/**
 * The composite: the new garment over the bare body, behind the occluders, shaded by the old
 * garment's folds.
 * @param pool low-pass cell size in pixels (the shading's scale), a power of two 4..32
 */
export function buildCompositeGraph(pool: number): Uint8Array {
  const g = new GraphBuilder('tryon-composite');
  const layers = g.input('layers', DataType.FLOAT, [1, 8, 'h', 'w']);
  const photo8 = g.input('photo', DataType.UINT8, [1, 'h', 'w', 3]);
  const bare8 = g.input('bare', DataType.UINT8, [1, 'h', 'w', 3]);
  const masks8 = g.input('masks', DataType.UINT8, [1, 'h', 'w', MASK_CHANNELS]);
  const means = g.input('means', DataType.FLOAT, [1, 1, 1, 1]);

  const photo = fromBytes(g, photo8);
  const bare = fromBytes(g, bare8);
  const masks = fromBytes(g, masks8);
  const shape = g.op('Shape', [photo8]);
  const hw = g.op('Slice', [shape, g.constI64([1]), g.constI64([3]), g.constI64([0])]);
  const size1 = g.op('Concat', [g.constI64([1, 1]), hw], { axis: attr.int(0) });

  const occ = feather(g, channels(g, masks, MASK.occluder, MASK.occluder + 1));
  const armFront = feather(g, channels(g, masks, MASK.armFront, MASK.armFront + 1));
  // The old garment grows by two pixels before feathering, so its shading reaches its rim.
  const oldGrown = g.op('MaxPool', [channels(g, masks, MASK.old, MASK.old + 1)], { kernel_shape: attr.ints([5, 5]), strides: attr.ints([1, 1]), pads: attr.ints([2, 2, 2, 2]) });
  const old = g.op('AveragePool', [oldGrown], { kernel_shape: attr.ints([5, 5]), strides: attr.ints([1, 1]), pads: attr.ints([2, 2, 2, 2]), count_include_pad: attr.int(0) });

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
  const rel = g.op('Sub', [div(g, g.op('Add', [local, k]), g.op('Add', [means, k])), scalar(g, 1)]);
  const ratio = g.op('Add', [scalar(g, 1), g.op('Mul', [rel, fade])]);
  const gain = g.op('Clip', [g.op('Pow', [g.op('Max', [ratio, scalar(g, EPS)]), scalar(g, SHADE.garmentGamma)]), scalar(g, SHADE.garmentLo), scalar(g, SHADE.garmentHi)]);
  const shaded = g.op('Mul', [colour, gain]);

  // Over the bare body (the photo with the old garment taken off).
  const exposed = g.op('Mul', [old, one(g, alpha)]);
  const result = g.op('Add', [g.op('Mul', [bare, one(g, alpha)]), g.op('Mul', [shaded, alpha])]);

  g.output(toBytes(g, result), 'image', DataType.UINT8, [1, 'h', 'w', 3]);
  g.output(toBytes(g, alpha), 'alpha', DataType.UINT8, [1, 'h', 'w', 1]);
  g.output(toBytes(g, exposed), 'exposed', DataType.UINT8, [1, 'h', 'w', 1]);
  g.output(toBytes(g, g.op('Mul', [colour, alpha])), 'warped', DataType.UINT8, [1, 'h', 'w', 3]);
  return g.build({ docString: `tryon composite: the new garment over the bare body, occlusion, shading (pool ${pool})` });
}
