/**
 * One handler per TF op: takes the node and its input values, adds ONNX nodes, returns the
 * output value. Convolutions live in ops-conv.ts, shape ops in ops-shape.ts; the elementwise
 * and resampling ops are here, with the table the converter looks ops up in.
 */
import { attr } from '../../src/onnx/graph.ts';
import { broadcastShape, emitBroadcastConst, intsOf, toNchw, type TensorValue } from './layout.ts';
import { activation, convTranspose, convolution, pool } from './ops-conv.ts';
import { concat, pack, reshape, shapeOp, stridedSlice } from './ops-shape.ts';
import { tensor, type Handler, type OpContext } from './op-context.ts';

export type { OpContext } from './op-context.ts';

/** Elementwise ops: a constant operand is laid out to broadcast against the other's layout. */
function elementwise(onnxOp: string): Handler {
  return (ctx, node, inputs) => {
    const tensors = inputs.filter((v): v is TensorValue => v.kind === 'tensor');
    if (!tensors.length) throw new Error(`${node.name}: all-constant ${node.op} is not folded`);
    const nchw = tensors.some((t) => t.nchw);
    const names = inputs.map((v) => {
      if (v.kind === 'const') {
        if (v.dtype === 'int32') throw new Error(`${node.name}: int32 operand`);
        return emitBroadcastConst(ctx.g, v, nchw);
      }
      if (nchw && !v.nchw) {
        if (v.shape.length === 4) return toNchw(ctx.g, v).onnx;
        throw new Error(`${node.name}: rank-${v.shape.length} tensor against an NCHW tensor`);
      }
      return v.onnx;
    });
    const shape = inputs.map((v) => v.shape).reduce(broadcastShape);
    const y = ctx.g.op(onnxOp, names);
    return { kind: 'tensor', onnx: y, shape, nchw };
  };
}

function unary(make: (ctx: OpContext, x: string) => string): Handler {
  return (ctx, node, inputs) => {
    const x = tensor(inputs[0], node);
    return { ...x, onnx: make(ctx, x.onnx) };
  };
}

const pad: Handler = (ctx, node, inputs) => {
  const x = tensor(inputs[0], node);
  const p = intsOf(inputs[1], node.name); // [[b,e] per TF axis]
  const rank = x.shape.length;
  const order = x.nchw ? [0, 3, 1, 2] : [...Array(rank).keys()];
  const pads = [...order.map((a) => p[2 * a]), ...order.map((a) => p[2 * a + 1])];
  const y = ctx.g.op('Pad', [x.onnx, ctx.g.constI64(pads)], { mode: attr.string('constant') });
  return { ...x, onnx: y, shape: x.shape.map((s, a) => s + p[2 * a] + p[2 * a + 1]) };
};

const resizeBilinear: Handler = (ctx, node, inputs) => {
  const x = toNchw(ctx.g, tensor(inputs[0], node));
  const [oh, ow] = intsOf(inputs[1], node.name);
  const alignCorners = node.attr.align_corners?.b === true;
  const halfPixel = node.attr.half_pixel_centers?.b === true;
  const mode = alignCorners ? 'align_corners' : halfPixel ? 'half_pixel' : 'asymmetric';
  const y = ctx.g.op('Resize', [x.onnx, '', '', ctx.g.constI64([x.shape[0], x.shape[3], oh, ow])], {
    mode: attr.string('linear'),
    coordinate_transformation_mode: attr.string(mode),
  });
  return { kind: 'tensor', onnx: y, shape: [x.shape[0], oh, ow, x.shape[3]], nchw: true };
};

const depthToSpace: Handler = (ctx, node, inputs) => {
  const x = toNchw(ctx.g, tensor(inputs[0], node));
  const b = Number(node.attr.block_size?.i);
  // TF's NHWC DepthToSpace orders channels as ONNX's DCR mode.
  const y = ctx.g.op('DepthToSpace', [x.onnx], { blocksize: attr.int(b), mode: attr.string('DCR') });
  return { kind: 'tensor', onnx: y, shape: [x.shape[0], x.shape[1] * b, x.shape[2] * b, x.shape[3] / (b * b)], nchw: true };
};

const identity: Handler = (_ctx, _node, inputs) => inputs[0];

export const HANDLERS: Record<string, Handler> = {
  _FusedConv2D: convolution(false),
  Conv2D: convolution(false),
  FusedDepthwiseConv2dNative: convolution(true),
  DepthwiseConv2dNative: convolution(true),
  Conv2DBackpropInput: convTranspose,
  Add: elementwise('Add'),
  AddV2: elementwise('Add'),
  AddN: elementwise('Sum'),
  Mul: elementwise('Mul'),
  Relu: unary((ctx, x) => activation(ctx, x, 'Relu')),
  Relu6: unary((ctx, x) => activation(ctx, x, 'Relu6')),
  Sigmoid: unary((ctx, x) => activation(ctx, x, 'Sigmoid')),
  Pad: pad,
  MaxPool: pool('MaxPool'),
  AvgPool: pool('AveragePool'),
  ResizeBilinear: resizeBilinear,
  DepthToSpace: depthToSpace,
  Shape: shapeOp,
  StridedSlice: stridedSlice,
  Pack: pack,
  Reshape: reshape,
  ConcatV2: concat,
  Identity: identity,
};

