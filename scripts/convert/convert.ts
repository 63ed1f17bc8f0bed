/**
 * TF.js graph model -> ONNX (opset 17). Walks the TF graph in dependency order from the
 * signature outputs, hands each node to its op handler (ops.ts), and exposes inputs and
 * outputs in the TF layout (NHWC images in, tensors shaped as the TF.js signature says out).
 */
import { DataType, GraphBuilder } from '../../src/onnx/graph.ts';
import { HANDLERS, type OpContext } from './ops.ts';
import { NHWC_TO_NCHW, toPlain, type Value } from './layout.ts';
import type { TfGraphModel, TfNode } from './tfjs-model.ts';

export interface ConvertedModel {
  bytes: Uint8Array;
  inputs: { name: string; shape: number[] }[];
  outputs: { name: string; shape: number[] }[];
  nodeCount: number;
}

function topoOrder(model: TfGraphModel): TfNode[] {
  const order: TfNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`cycle at ${name}`);
    const node = model.nodes.get(name);
    if (!node) throw new Error(`graph refers to a missing node ${name}`);
    state.set(name, 'visiting');
    for (const i of node.inputs) visit(i);
    state.set(name, 'done');
    order.push(node);
  };
  for (const o of model.outputs) visit(o.node);
  return order;
}

export function convertTfjsGraph(model: TfGraphModel, name: string, metadata: Record<string, string> = {}): ConvertedModel {
  const g = new GraphBuilder(name);
  const scalars = new Map<number, string>();
  const ctx: OpContext = {
    g,
    scalar(value) {
      let s = scalars.get(value);
      if (!s) scalars.set(value, (s = g.constF32([value], [])));
      return s;
    },
  };
  const values = new Map<string, Value>();
  const inputByNode = new Map(model.inputs.map((i) => [i.node, i]));
  for (const node of topoOrder(model)) {
    let out: Value;
    if (node.op === 'Const') {
      const c = model.consts.get(node.name);
      if (!c) throw new Error(`constant ${node.name} has no weights`);
      out = { kind: 'const', ...c };
    } else if (node.op === 'Placeholder') {
      const sig = inputByNode.get(node.name);
      if (!sig) throw new Error(`placeholder ${node.name} is not in the signature`);
      const x = g.input(sig.key, DataType.FLOAT, sig.shape);
      out = sig.shape.length === 4
        ? { kind: 'tensor', onnx: g.op('Transpose', [x], { perm: { type: 'ints', value: NHWC_TO_NCHW } }), shape: sig.shape, nchw: true }
        : { kind: 'tensor', onnx: x, shape: sig.shape, nchw: false };
    } else {
      const handler = HANDLERS[node.op];
      if (!handler) throw new Error(`op ${node.op} (${node.name}) is not supported`);
      const inputs = node.inputs.map((i) => {
        const v = values.get(i);
        if (!v) throw new Error(`${node.name}: input ${i} not converted`);
        return v;
      });
      out = handler(ctx, node, inputs);
    }
    values.set(node.name, out);
  }
  for (const o of model.outputs) {
    const v = values.get(o.node)!;
    if (v.kind !== 'tensor') throw new Error(`output ${o.key} is a constant`);
    const plain = toPlain(g, v);
    if (plain.shape.join() !== o.shape.join()) throw new Error(`output ${o.key}: converted shape [${plain.shape}] differs from the signature's [${o.shape}]`);
    g.output(plain.onnx, o.key, DataType.FLOAT, o.shape);
  }
  return {
    bytes: g.build({ opset: 17, metadata }),
    inputs: model.inputs.map((i) => ({ name: i.key, shape: i.shape })),
    outputs: model.outputs.map((o) => ({ name: o.key, shape: o.shape })),
    nodeCount: g.nodeCount,
  };
}
