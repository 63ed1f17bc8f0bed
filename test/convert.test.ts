/**
 * The TF.js -> ONNX converter on a small hand-made graph model (written to a temp folder as
 * model.json + weights.bin), run in onnxruntime and compared with plain-JS reference
 * implementations of the TF ops (NHWC, TF padding rules). Covers layout tracking (NHWC in,
 * NCHW inside, per-channel constants, Reshape/outputs back in NHWC), depthwise and fused
 * convolutions, SAME padding with the extra at the end, the transposed convolution, bilinear
 * resize with half-pixel centres, and folding of Shape/StridedSlice/Pack.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { convertTfjsGraph } from '../scripts/convert/convert.ts';
import { decodeFloat16, encodeFloat16, numberToFloat16, float16ToNumber } from '../scripts/convert/float16.ts';
import { readTfjsGraphModel } from '../scripts/convert/tfjs-model.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
const dims = (...v: number[]) => ({ dim: v.map((d) => ({ size: String(d) })) });

/** Deterministic small weights, exactly representable in float16 (multiples of 1/16). */
function weights(n: number, seed: number): number[] {
  return Array.from({ length: n }, (_, i) => (((i * 7 + seed * 13) % 17) - 8) / 16);
}

const W = {
  dw: weights(3 * 3 * 2, 1), // [3,3,2,1]
  cb: [0.5, -0.25], // [2]
  pw: weights(2 * 3, 2), // [1,1,2,3]
  pb: [0.125, -0.5, 0.25], // [3]
  up: weights(2 * 2 * 1 * 3, 3), // [2,2,1,3]
};

function tfModel(dir: string): string {
  const node = (name: string, op: string, input: string[] = [], attr: Record<string, unknown> = {}) => ({ name, op, input, attr });
  const konst = (name: string) => node(name, 'Const');
  const nodes = [
    node('input', 'Placeholder', [], { shape: { shape: dims(-1, 5, 5, 2) }, dtype: { type: 'DT_FLOAT' } }),
    konst('dw_w'), konst('cb'), konst('pw_w'), konst('pw_b'), konst('up_size'), konst('up_w'), konst('rs_size'),
    konst('ss_b'), konst('ss_e'), konst('ss_s'), konst('c27'),
    node('dw', 'DepthwiseConv2dNative', ['input', 'dw_w'], { strides: ints(1, 2, 2, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1) }),
    node('add', 'AddV2', ['dw', 'cb']),
    node('r6', 'Relu6', ['add']),
    node('pw', '_FusedConv2D', ['r6', 'pw_w', 'pw_b'], { strides: ints(1, 1, 1, 1), padding: { s: b64('VALID') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1), fused_ops: { list: { s: [b64('BiasAdd'), b64('Relu')] } }, num_args: { i: '1' } }),
    node('up', 'Conv2DBackpropInput', ['up_size', 'up_w', 'pw'], { strides: ints(1, 2, 2, 1), padding: { s: b64('SAME') }, data_format: { s: b64('NHWC') }, dilations: ints(1, 1, 1, 1) }),
    node('shape', 'Shape', ['pw']),
    node('batch', 'StridedSlice', ['shape', 'ss_b', 'ss_e', 'ss_s'], { shrink_axis_mask: { i: '1' }, begin_mask: { i: '0' }, end_mask: { i: '0' } }),
    node('pack', 'Pack', ['batch', 'c27'], { axis: { i: '0' }, N: { i: '2' } }),
    node('flat', 'Reshape', ['pw', 'pack']),
    node('resize', 'ResizeBilinear', ['r6', 'rs_size'], { half_pixel_centers: { b: true }, align_corners: { b: false } }),
    node('Identity', 'Identity', ['flat']),
  ];
  const q = { dtype: 'float16', original_dtype: 'float32' };
  const specs = [
    { name: 'dw_w', shape: [3, 3, 2, 1], dtype: 'float32', quantization: q, data: encodeFloat16(W.dw) },
    { name: 'cb', shape: [2], dtype: 'float32', quantization: q, data: encodeFloat16(W.cb) },
    { name: 'pw_w', shape: [1, 1, 2, 3], dtype: 'float32', quantization: q, data: encodeFloat16(W.pw) },
    { name: 'pw_b', shape: [3], dtype: 'float32', quantization: q, data: encodeFloat16(W.pb) },
    { name: 'up_size', shape: [4], dtype: 'int32', data: new Uint8Array(Int32Array.from([1, 6, 6, 1]).buffer) },
    { name: 'up_w', shape: [2, 2, 1, 3], dtype: 'float32', quantization: q, data: encodeFloat16(W.up) },
    { name: 'rs_size', shape: [2], dtype: 'int32', data: new Uint8Array(Int32Array.from([6, 6]).buffer) },
    { name: 'ss_b', shape: [1], dtype: 'int32', data: new Uint8Array(Int32Array.from([0]).buffer) },
    { name: 'ss_e', shape: [1], dtype: 'int32', data: new Uint8Array(Int32Array.from([1]).buffer) },
    { name: 'ss_s', shape: [1], dtype: 'int32', data: new Uint8Array(Int32Array.from([1]).buffer) },
    { name: 'c27', shape: [], dtype: 'int32', data: new Uint8Array(Int32Array.from([27]).buffer) },
  ];
  writeFileSync(path.join(dir, 'w.bin'), Buffer.concat(specs.map((s) => s.data)));
  const json = {
    format: 'graph-model',
    modelTopology: { node: nodes },
    weightsManifest: [{ paths: ['w.bin'], weights: specs.map(({ data: _data, ...s }) => s) }],
    signature: {
      inputs: { input: { name: 'input:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 5, 5, 2) } },
      outputs: {
        flat: { name: 'Identity:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 27) },
        up: { name: 'up:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 6, 6, 1) },
        resized: { name: 'resize:0', dtype: 'DT_FLOAT', tensorShape: dims(-1, 6, 6, 2) },
      },
    },
  };
  const file = path.join(dir, 'model.json');
  writeFileSync(file, JSON.stringify(json));
  return file;
}

// ---- plain-JS TF references (NHWC, batch 1) ----
type T = { h: number; w: number; c: number; d: Float64Array };
const at = (t: T, y: number, x: number, c: number): number => t.d[(y * t.w + x) * t.c + c];
function samePad(size: number, k: number, s: number): number {
  const out = Math.ceil(size / s);
  return Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
}
function depthwise(x: T, w: number[], k: number, s: number): T {
  const oh = Math.ceil(x.h / s), ow = Math.ceil(x.w / s), pt = samePad(x.h, k, s), pl = samePad(x.w, k, s);
  const d = new Float64Array(oh * ow * x.c);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < x.c; c++) {
    let sum = 0;
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
      const iy = oy * s + ky - pt, ix = ox * s + kx - pl;
      if (iy >= 0 && iy < x.h && ix >= 0 && ix < x.w) sum += at(x, iy, ix, c) * w[(ky * k + kx) * x.c + c];
    }
    d[(oy * ow + ox) * x.c + c] = sum;
  }
  return { h: oh, w: ow, c: x.c, d };
}
function map(x: T, f: (v: number, c: number) => number): T {
  return { ...x, d: x.d.map((v, i) => f(v, i % x.c)) };
}
function pointwise(x: T, w: number[], b: number[], co: number): T {
  const d = new Float64Array(x.h * x.w * co);
  for (let p = 0; p < x.h * x.w; p++) for (let o = 0; o < co; o++) {
    let sum = b[o];
    for (let i = 0; i < x.c; i++) sum += x.d[p * x.c + i] * w[i * co + o];
    d[p * co + o] = sum;
  }
  return { h: x.h, w: x.w, c: co, d };
}
/** conv2d_transpose, filter [k,k,Cout,Cin], SAME, output oh x ow. */
function transposed(x: T, w: number[], k: number, s: number, co: number, oh: number, ow: number): T {
  const d = new Float64Array(oh * ow * co), pt = samePad(oh, k, s), pl = samePad(ow, k, s);
  for (let iy = 0; iy < x.h; iy++) for (let ix = 0; ix < x.w; ix++) for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) {
    const oy = iy * s + ky - pt, ox = ix * s + kx - pl;
    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
    for (let o = 0; o < co; o++) for (let i = 0; i < x.c; i++) d[(oy * ow + ox) * co + o] += at(x, iy, ix, i) * w[((ky * k + kx) * co + o) * x.c + i];
  }
  return { h: oh, w: ow, c: co, d };
}
function resizeHalfPixel(x: T, oh: number, ow: number): T {
  const d = new Float64Array(oh * ow * x.c);
  const src = (o: number, n: number, on: number) => {
    const f = Math.max(0, (o + 0.5) * (n / on) - 0.5);
    const lo = Math.min(Math.floor(f), n - 1);
    return { lo, hi: Math.min(lo + 1, n - 1), t: f - Math.floor(f) };
  };
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    const sy = src(oy, x.h, oh), sx = src(ox, x.w, ow);
    for (let c = 0; c < x.c; c++) {
      const top = at(x, sy.lo, sx.lo, c) * (1 - sx.t) + at(x, sy.lo, sx.hi, c) * sx.t;
      const bot = at(x, sy.hi, sx.lo, c) * (1 - sx.t) + at(x, sy.hi, sx.hi, c) * sx.t;
      d[(oy * ow + ox) * x.c + c] = top * (1 - sy.t) + bot * sy.t;
    }
  }
  return { h: oh, w: ow, c: x.c, d };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tryon-convert-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('float16', () => {
  it('round-trips representable values and rounds to nearest', () => {
    for (const v of [0, 1, -2.5, 0.0625, 65504, 2 ** -14, -(2 ** -15), 2 ** -24]) expect(float16ToNumber(numberToFloat16(v))).toBe(v);
    expect(float16ToNumber(numberToFloat16(1 + 1 / 4096))).toBe(1);
    expect(Array.from(decodeFloat16(encodeFloat16([0.5, -3])))).toEqual([0.5, -3]);
  });
});

describe('convertTfjsGraph', () => {
  it('matches TF semantics op by op on a small graph', async () => {
    const model = await readTfjsGraphModel(tfModel(tmp));
    expect(model.consts.get('dw_w')).toMatchObject({ dtype: 'float16', shape: [3, 3, 2, 1] });
    const converted = convertTfjsGraph(model, 'tiny');
    expect(converted.inputs).toEqual([{ name: 'input', shape: [1, 5, 5, 2] }]);
    expect(converted.outputs).toEqual([
      { name: 'flat', shape: [1, 27] },
      { name: 'resized', shape: [1, 6, 6, 2] },
      { name: 'up', shape: [1, 6, 6, 1] },
    ]);
    const xs = Float32Array.from({ length: 50 }, (_, i) => Math.sin(i * 1.7) * 4);
    const session = await ort.InferenceSession.create(converted.bytes);
    const out = await session.run({ input: new ort.Tensor('float32', xs, [1, 5, 5, 2]) });

    const x: T = { h: 5, w: 5, c: 2, d: Float64Array.from(xs) };
    const r6 = map(depthwise(x, W.dw, 3, 2), (v, c) => Math.min(6, Math.max(0, v + W.cb[c])));
    const pw = map(pointwise(r6, W.pw, W.pb, 3), (v) => Math.max(0, v));
    const expected = {
      flat: pw.d,
      up: transposed(pw, W.up, 2, 2, 1, 6, 6).d,
      resized: resizeHalfPixel(r6, 6, 6).d,
    };
    for (const [name, want] of Object.entries(expected)) {
      const got = out[name].data as Float32Array;
      expect(got.length, name).toBe(want.length);
      const worst = Math.max(...Array.from(want, (v, i) => Math.abs(v - got[i])));
      expect(worst, name).toBeLessThan(1e-5);
    }
    // The reference itself is not trivial: activations are neither all clipped nor all zero.
    expect(new Set(Array.from(pw.d, (v) => v.toFixed(3))).size).toBeGreaterThan(10);
  });

  it('names the op it cannot convert', async () => {
    const model = await readTfjsGraphModel(tfModel(tmp));
    model.nodes.get('r6')!.op = 'Elu';
    expect(() => convertTfjsGraph(model, 'bad')).toThrow(/op Elu \(r6\) is not supported/);
  });
});
