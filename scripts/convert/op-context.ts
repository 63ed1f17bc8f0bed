/** What every op handler gets: the graph being built and a few shared helpers. */
import type { GraphBuilder } from '../../src/onnx/graph.ts';
import type { ConstValue, TensorValue, Value } from './layout.ts';
import type { TfNode } from './tfjs-model.ts';

export interface OpContext {
  g: GraphBuilder;
  /** Shared scalar constants (Clip bounds). */
  scalar(value: number): string;
}

export type Handler = (ctx: OpContext, node: TfNode, inputs: Value[]) => Value;

export function tensor(v: Value, node: TfNode): TensorValue {
  if (v.kind !== 'tensor') throw new Error(`${node.name} (${node.op}): expected a computed tensor input, got a constant`);
  return v;
}

export function floatConst(v: Value, node: TfNode): ConstValue {
  if (v.kind !== 'const' || v.dtype === 'int32') throw new Error(`${node.name} (${node.op}): expected a float constant (weights)`);
  return v;
}

