/**
 * A small ONNX graph builder: the converter and the render graphs both build models with it.
 *
 *   const g = new GraphBuilder('blend');
 *   const a = g.input('a', DataType.FLOAT, [1, 3, 'h', 'w']);
 *   const half = g.constF32([0.5], []);
 *   g.output(g.op('Mul', [a, half]), 'out', DataType.FLOAT, [1, 3, 'h', 'w']);
 *   const bytes = g.build();
 */
import {
  DataType,
  encodeModel,
  type AttributeValue,
  type DataTypeId,
  type Dim,
  type NodeProto,
  type TensorProto,
  type ValueInfo,
} from './proto.ts';

export { DataType } from './proto.ts';
export type { DataTypeId, Dim } from './proto.ts';

export const attr = {
  int: (value: number): AttributeValue => ({ type: 'int', value }),
  float: (value: number): AttributeValue => ({ type: 'float', value }),
  string: (value: string): AttributeValue => ({ type: 'string', value }),
  ints: (value: number[]): AttributeValue => ({ type: 'ints', value }),
  floats: (value: number[]): AttributeValue => ({ type: 'floats', value }),
  tensor: (value: TensorProto): AttributeValue => ({ type: 'tensor', value }),
};

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

export class GraphBuilder {
  readonly name: string;
  private nodes: NodeProto[] = [];
  private initializers: TensorProto[] = [];
  private inputs: ValueInfo[] = [];
  private outputs: ValueInfo[] = [];
  private used = new Set<string>();
  private counter = 0;

  constructor(name: string) {
    this.name = name;
  }

  /** A fresh value name, unique within this graph. */
  fresh(hint = 'v'): string {
    let name: string;
    do name = `${hint}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`GraphBuilder: value name ${name} is used twice`);
    this.used.add(name);
    return name;
  }

  input(name: string, elemType: DataTypeId, shape: Dim[]): string {
    this.inputs.push({ name: this.claim(name), elemType, shape });
    return name;
  }

  /** Marks `value` as a graph output called `name` (an Identity is added when they differ). */
  output(value: string, name: string, elemType: DataTypeId, shape: Dim[]): void {
    if (value !== name) this.nodes.push({ opType: 'Identity', name: this.fresh('n'), inputs: [value], outputs: [this.claim(name)], attributes: {} });
    this.outputs.push({ name, elemType, shape });
  }

  /** An initializer from raw bytes (e.g. float16 weights copied as they are). */
  tensor(raw: Uint8Array, dims: number[], dataType: DataTypeId, name?: string): string {
    const n = name ? this.claim(name) : this.fresh('c');
    this.initializers.push({ name: n, dataType, dims, raw });
    return n;
  }

  constF32(values: ArrayLike<number>, dims: number[], name?: string): string {
    return this.tensor(bytesOf(Float32Array.from(values)), dims, DataType.FLOAT, name);
  }

  constI64(values: ArrayLike<number>, dims: number[] = [values.length], name?: string): string {
    return this.tensor(bytesOf(BigInt64Array.from(Array.from(values, (v) => BigInt(v)))), dims, DataType.INT64, name);
  }

  /** Adds a node; returns its single output name. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputName?: string): string {
    return this.opN(opType, inputs, 1, attributes, outputName ? [outputName] : undefined)[0];
  }

  /** Adds a node with several outputs; returns their names. Pass '' in inputs for an omitted optional input. */
  opN(
    opType: string,
    inputs: string[],
    outputCount: number,
    attributes: Record<string, AttributeValue> = {},
    outputNames?: string[],
  ): string[] {
    const outputs = outputNames
      ? outputNames.map((n) => this.claim(n))
      : Array.from({ length: outputCount }, () => this.fresh(opType.toLowerCase()));
    this.nodes.push({ opType, name: this.fresh('n'), inputs, outputs, attributes });
    return outputs;
  }

  get nodeCount(): number {
    return this.nodes.length;
  }

  build(options: { opset?: number; docString?: string; metadata?: Record<string, string> } = {}): Uint8Array {
    return encodeModel({
      graph: { name: this.name, nodes: this.nodes, initializers: this.initializers, inputs: this.inputs, outputs: this.outputs },
      opset: options.opset ?? 17,
      producerName: 'tryon',
      producerVersion: '0.1.0',
      docString: options.docString,
      metadata: options.metadata,
    });
  }
}
