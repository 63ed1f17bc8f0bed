/**
 * Shape arithmetic and re-shaping ops. Shapes are static (batch 1), so Shape, StridedSlice and
 * Pack fold to constants here and never reach the ONNX graph; Reshape and Concat work in the TF
 * layout (a Transpose back to NHWC first when the input is held NCHW).
 */
import { attr } from '../../src/onnx/graph.ts';
import { intConst, intsOf, toPlain } from './layout.ts';
import { tensor, type Handler } from './op-context.ts';

export const shapeOp: Handler = (_ctx, _node, inputs) => intConst(inputs[0].shape);

export const stridedSlice: Handler = (_ctx, node, inputs) => {
  if (inputs[0].shape.length !== 1) throw new Error(`${node.name}: only 1-D StridedSlice folds`);
  const data = intsOf(inputs[0], node.name);
  const [begin] = intsOf(inputs[1], node.name);
  const [end] = intsOf(inputs[2], node.name);
  const [stride] = intsOf(inputs[3], node.name);
  const n = data.length;
  const norm = (i: number) => (i < 0 ? i + n : i);
  const beginMask = Number(node.attr.begin_mask?.i ?? 0) & 1;
  const endMask = Number(node.attr.end_mask?.i ?? 0) & 1;
  const shrink = Number(node.attr.shrink_axis_mask?.i ?? 0) & 1;
  if (stride !== 1) throw new Error(`${node.name}: stride ${stride} not supported`);
  const b = beginMask ? 0 : norm(begin);
  if (shrink) return intConst([data[b]], []);
  const e = endMask ? n : Math.min(norm(end), n);
  return intConst(data.slice(b, e));
};

export const pack: Handler = (_ctx, node, inputs) => {
  if (Number(node.attr.axis?.i ?? 0) !== 0) throw new Error(`${node.name}: Pack axis must be 0`);
  if (inputs.some((v) => v.shape.length !== 0)) throw new Error(`${node.name}: only scalar Pack folds`);
  return intConst(inputs.flatMap((v) => intsOf(v, node.name)));
};

export const reshape: Handler = (ctx, node, inputs) => {
  const x = toPlain(ctx.g, tensor(inputs[0], node));
  const target = intsOf(inputs[1], node.name);
  const count = x.shape.reduce((a, b) => a * b, 1);
  const known = target.filter((d) => d >= 0).reduce((a, b) => a * b, 1);
  const shape = target.map((d) => (d < 0 ? count / known : d));
  const y = ctx.g.op('Reshape', [x.onnx, ctx.g.constI64(shape)]);
  return { kind: 'tensor', onnx: y, shape, nchw: false };
};

export const concat: Handler = (ctx, node, inputs) => {
  const parts = inputs.slice(0, -1).map((v) => tensor(v, node));
  const rank = parts[0].shape.length;
  let axis = intsOf(inputs[inputs.length - 1], node.name)[0];
  if (axis < 0) axis += rank;
  const allNchw = parts.every((p) => p.nchw);
  const laid = allNchw ? parts : parts.map((p) => toPlain(ctx.g, p));
  const onnxAxis = allNchw ? [0, 2, 3, 1][axis] : axis;
  const y = ctx.g.op('Concat', laid.map((p) => p.onnx), { axis: attr.int(onnxAxis) });
  const shape = parts[0].shape.map((s, i) => (i === axis ? parts.reduce((a, p) => a + p.shape[i], 0) : s));
  return { kind: 'tensor', onnx: y, shape, nchw: allNchw };
};

