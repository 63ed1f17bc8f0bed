/**
 * Values during conversion. TF.js tensors are NHWC; ONNX convolutions want NCHW. Each 4-D
 * activation is kept NCHW inside the ONNX graph (`nchw: true`, while `shape` stays the TF
 * NHWC shape), and Transposes are inserted only where an op needs the TF layout (Reshape,
 * Concat of mixed layouts, graph outputs). Constants stay in JS until an op decides how to
 * lay them out, so per-channel vectors can be reshaped to [1,C,1,1] (ONNX broadcasting
 * aligns trailing axes: a [C] vector against NCHW would broadcast over W, silently wrong).
 */
import { DataType, type GraphBuilder } from '../../src/onnx/graph.ts';
import type { ConstDtype } from './tfjs-model.ts';

export interface TensorValue {
  kind: 'tensor';
  /** ONNX value name. */
  onnx: string;
  /** The TF (NHWC) shape. */
  shape: number[];
  /** The ONNX value holds the [0,3,1,2] transpose of the TF tensor. */
  nchw: boolean;
}

export interface ConstValue {
  kind: 'const';
  dtype: ConstDtype;
  shape: number[];
  raw: Uint8Array;
}

export type Value = TensorValue | ConstValue;

export const NHWC_TO_NCHW = [0, 3, 1, 2];
export const NCHW_TO_NHWC = [0, 2, 3, 1];

export function elementSize(dtype: ConstDtype): number {
  return dtype === 'float16' ? 2 : 4;
}

export function intsOf(v: Value, what: string): number[] {
  if (v.kind !== 'const' || v.dtype !== 'int32') throw new Error(`${what}: expected a constant int32 tensor (shapes must be static)`);
  const view = new DataView(v.raw.buffer, v.raw.byteOffset, v.raw.byteLength);
  return Array.from({ length: v.raw.byteLength / 4 }, (_, i) => view.getInt32(i * 4, true));
}

export function intConst(values: number[], shape: number[] = [values.length]): ConstValue {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setInt32(i * 4, v, true));
  return { kind: 'const', dtype: 'int32', shape, raw };
}

/** Permutes the axes of a row-major array of fixed-size elements (bytes moved as they are). */
export function permuteRaw(raw: Uint8Array, elem: number, shape: number[], perm: number[]): { raw: Uint8Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const out = new Uint8Array(raw.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < s; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d] * inStrides[perm[d]];
    out.set(raw.subarray(src * elem, src * elem + elem), o * elem);
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d] < outShape[d]) break;
      idx[d] = 0;
    }
  }
  return { raw: out, shape: outShape };
}

/** Emits a float constant as an initializer: float16 bytes + Cast to float32 (ORT folds the Cast at load). */
export function emitFloat(g: GraphBuilder, c: { dtype: ConstDtype; raw: Uint8Array }, dims: number[]): string {
  if (c.dtype === 'float16') return g.op('Cast', [g.tensor(c.raw, dims, DataType.FLOAT16)], { to: { type: 'int', value: DataType.FLOAT } });
  if (c.dtype === 'float32') return g.tensor(c.raw, dims, DataType.FLOAT);
  throw new Error('emitFloat: int32 constant used as a float tensor');
}

/** A constant laid out to broadcast against a value in `nchw` layout of rank 4. */
export function emitBroadcastConst(g: GraphBuilder, c: ConstValue, againstNchw: boolean): string {
  if (!againstNchw) return emitFloat(g, c, c.shape);
  if (c.shape.length > 4) throw new Error('constant of rank > 4 against a 4-D tensor');
  const padded = [...new Array(4 - c.shape.length).fill(1), ...c.shape];
  const p = permuteRaw(c.raw, elementSize(c.dtype), padded, NHWC_TO_NCHW);
  return emitFloat(g, c, p.shape);
}

export function toNchw(g: GraphBuilder, v: TensorValue): TensorValue {
  if (v.nchw) return v;
  if (v.shape.length !== 4) throw new Error(`cannot lay out a rank-${v.shape.length} tensor as NCHW`);
  return { ...v, onnx: g.op('Transpose', [v.onnx], { perm: { type: 'ints', value: NHWC_TO_NCHW } }), nchw: true };
}

export function toPlain(g: GraphBuilder, v: TensorValue): TensorValue {
  if (!v.nchw) return v;
  return { ...v, onnx: g.op('Transpose', [v.onnx], { perm: { type: 'ints', value: NCHW_TO_NHWC } }), nchw: false };
}

/** TF broadcasting of two shapes. */
export function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1;
    const y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new Error(`shapes [${a}] and [${b}] do not broadcast`);
    out.push(Math.max(x, y));
  }
  return out;
}
