import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { GraphBuilder, DataType, attr } from '../src/onnx/graph.ts';

describe('GraphBuilder', () => {
  it('builds a model onnxruntime runs, with dynamic dims, int64 constants and attributes', async () => {
    const g = new GraphBuilder('test');
    const x = g.input('x', DataType.FLOAT, [1, 2, 'h', 'w']);
    const scaled = g.op('Mul', [x, g.constF32([2], [])]);
    const clipped = g.op('Clip', [scaled, g.constF32([-1], []), g.constF32([3], [])]);
    const summed = g.op('ReduceSum', [clipped, g.constI64([1])], { keepdims: attr.int(0) });
    g.output(summed, 'y', DataType.FLOAT, [1, 'h', 'w']);
    const session = await ort.InferenceSession.create(g.build());
    const input = new ort.Tensor('float32', Float32Array.from([1, -2, 0.5, 4, 0, 1, 1, 1]), [1, 2, 2, 2]);
    const { y } = await session.run({ x: input });
    expect(y.dims).toEqual([1, 2, 2]);
    // channel 0: [2, -1(clipped from -4), 1, 3(clipped from 8)]; channel 1: [0, 2, 2, 2]
    expect(Array.from(y.data as Float32Array)).toEqual([2, 1, 3, 5]);
  });

  it('refuses a value name used twice', () => {
    const g = new GraphBuilder('dup');
    g.input('x', DataType.FLOAT, [1]);
    expect(() => g.input('x', DataType.FLOAT, [1])).toThrow(/used twice/);
  });
});
