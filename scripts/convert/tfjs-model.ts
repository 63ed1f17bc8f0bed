/**
 * Reads a TensorFlow.js graph model (model.json + weight shards) into plain data: the node
 * list, the signature, and each constant's raw bytes. Float weights quantised to float16 keep
 * their 2-byte encoding (the converter copies those bytes into the ONNX file as they are).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface TfNode {
  name: string;
  op: string;
  /** Input node names, ':0' stripped; control inputs ('^x') dropped. */
  inputs: string[];
  attr: Record<string, TfAttr>;
}

export interface TfAttr {
  s?: string; // base64
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: string[] };
  shape?: { dim?: { size: string }[] };
}

export type ConstDtype = 'float16' | 'float32' | 'int32';

export interface TfConst {
  dtype: ConstDtype;
  shape: number[];
  /** Little-endian element bytes: 2 per element for float16, 4 otherwise. */
  raw: Uint8Array;
}

export interface TfSignatureEntry {
  /** Key of the signature entry, used as the ONNX value name (':0' stripped). */
  key: string;
  /** Node producing it. */
  node: string;
  shape: number[];
}

export interface TfGraphModel {
  nodes: Map<string, TfNode>;
  consts: Map<string, TfConst>;
  inputs: TfSignatureEntry[];
  outputs: TfSignatureEntry[];
}

interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; original_dtype?: string; scale?: number; min?: number };
}

interface ModelJson {
  modelTopology: { node: { name: string; op: string; input?: string[]; attr?: Record<string, TfAttr> }[] };
  weightsManifest: { paths: string[]; weights: WeightEntry[] }[];
  signature?: {
    inputs: Record<string, { name: string; tensorShape: { dim: { size: string }[] } }>;
    outputs: Record<string, { name: string; tensorShape: { dim: { size: string }[] } }>;
  };
}

const stripPort = (name: string): string => name.replace(/:0$/, '');

/** Base64-encoded string attributes (padding, data_format, fused_ops) decoded. */
export function attrString(a: TfAttr | undefined): string | undefined {
  return a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8');
}

export function attrStrings(a: TfAttr | undefined): string[] {
  return (a?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInts(a: TfAttr | undefined): number[] {
  return (a?.list?.i ?? []).map(Number);
}

function signatureEntries(sig: Record<string, { name: string; tensorShape: { dim: { size: string }[] } }>): TfSignatureEntry[] {
  return Object.entries(sig)
    .map(([key, v]) => ({
      key: stripPort(key),
      node: stripPort(v.name),
      // Batch is fixed at 1: the converted graphs are static.
      shape: v.tensorShape.dim.map((d) => (Number(d.size) < 0 ? 1 : Number(d.size))),
    }))
    .sort((a, b) => a.key.localeCompare(b.key));
}

/** Parses model.json and its shards (read from the json's folder). */
export async function readTfjsGraphModel(jsonPath: string): Promise<TfGraphModel> {
  const json = JSON.parse(await readFile(jsonPath, 'utf8')) as ModelJson;
  const dir = path.dirname(jsonPath);
  const nodes = new Map<string, TfNode>();
  for (const n of json.modelTopology.node) {
    nodes.set(n.name, {
      name: n.name,
      op: n.op,
      inputs: (n.input ?? []).filter((i) => !i.startsWith('^')).map(stripPort),
      attr: n.attr ?? {},
    });
  }
  const consts = new Map<string, TfConst>();
  for (const group of json.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(path.join(dir, p))));
    const data = Buffer.concat(shards);
    let offset = 0;
    for (const w of group.weights) {
      const count = w.shape.reduce((a, b) => a * b, 1);
      let dtype: ConstDtype;
      if (w.quantization) {
        if (w.quantization.dtype !== 'float16') throw new Error(`${w.name}: quantisation ${w.quantization.dtype} is not supported`);
        dtype = 'float16';
      } else if (w.dtype === 'float32' || w.dtype === 'int32') {
        dtype = w.dtype;
      } else {
        throw new Error(`${w.name}: weight dtype ${w.dtype} is not supported`);
      }
      const bytes = count * (dtype === 'float16' ? 2 : 4);
      if (offset + bytes > data.length) throw new Error(`${w.name}: weights file is shorter than the manifest says`);
      consts.set(w.name, { dtype, shape: w.shape, raw: new Uint8Array(data.subarray(offset, offset + bytes)) });
      offset += bytes;
    }
    if (offset !== data.length) throw new Error(`weights: ${data.length - offset} bytes left over after the manifest's tensors`);
  }
  if (!json.signature) throw new Error(`${jsonPath}: graph model has no signature`);
  return { nodes, consts, inputs: signatureEntries(json.signature.inputs), outputs: signatureEntries(json.signature.outputs) };
}
