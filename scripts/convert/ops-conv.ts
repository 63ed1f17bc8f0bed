/**
 * Convolutions and pooling: TF NHWC kernels re-laid for ONNX NCHW ([H,W,I,O] -> [O,I,H,W];
 * depthwise [H,W,C,M] -> [C*M,1,H,W] with group C), TF 'SAME' padding made explicit (the
 * extra pixel goes at the end, unlike ONNX's SAME_UPPER/LOWER guesswork), fused BiasAdd and
 * activations unfused into Conv bias + Relu/Clip.
 */
import { attr } from '../../src/onnx/graph.ts';
import { attrInts, attrString, attrStrings } from './tfjs-model.ts';
import { elementSize, emitFloat, intsOf, permuteRaw, toNchw } from './layout.ts';
import { floatConst, tensor, type Handler, type OpContext } from './op-context.ts';

/** Explicit [begin, end] pads for TF 'SAME' / 'VALID' on one spatial axis (SAME puts the extra at the end). */
function axisPads(padding: string, size: number, kernel: number, stride: number, dilation = 1): [number, number] {
  if (padding === 'VALID') return [0, 0];
  if (padding !== 'SAME') throw new Error(`padding ${padding} is not supported`);
  const eff = (kernel - 1) * dilation + 1;
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + eff - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

function outSize(size: number, kernel: number, stride: number, pads: [number, number], dilation = 1): number {
  return Math.floor((size + pads[0] + pads[1] - ((kernel - 1) * dilation + 1)) / stride) + 1;
}

export function activation(ctx: OpContext, x: string, name: string): string {
  switch (name) {
    case 'Relu':
      return ctx.g.op('Relu', [x]);
    case 'Relu6':
      // opset 17: Clip's bounds are inputs, not attributes.
      return ctx.g.op('Clip', [x, ctx.scalar(0), ctx.scalar(6)]);
    case 'Sigmoid':
      return ctx.g.op('Sigmoid', [x]);
    default:
      throw new Error(`fused activation ${name} is not supported`);
  }
}

/** Conv2D / DepthwiseConv2dNative and their fused forms (BiasAdd + activation). */
export function convolution(depthwise: boolean): Handler {
  return (ctx, node, inputs) => {
    const x = toNchw(ctx.g, tensor(inputs[0], node));
    const w = floatConst(inputs[1], node);
    const [kh, kw, cin, m] = w.shape; // conv: [H,W,I,O]; depthwise: [H,W,C,multiplier]
    const strides = attrInts(node.attr.strides);
    const dil = attrInts(node.attr.dilations);
    const padding = attrString(node.attr.padding) ?? 'VALID';
    if ((attrString(node.attr.data_format) ?? 'NHWC') !== 'NHWC') throw new Error(`${node.name}: only NHWC is supported`);
    const [, h, wd] = x.shape;
    const ph = axisPads(padding, h, kh, strides[1], dil[1] ?? 1);
    const pw = axisPads(padding, wd, kw, strides[2], dil[2] ?? 1);
    let weight: string;
    let outC: number;
    if (depthwise) {
      const p = permuteRaw(w.raw, elementSize(w.dtype), w.shape, [2, 3, 0, 1]); // [C,M,H,W]
      outC = cin * m;
      weight = emitFloat(ctx.g, { dtype: w.dtype, raw: p.raw }, [outC, 1, kh, kw]);
    } else {
      const p = permuteRaw(w.raw, elementSize(w.dtype), w.shape, [3, 2, 0, 1]); // [O,I,H,W]
      outC = m;
      weight = emitFloat(ctx.g, { dtype: w.dtype, raw: p.raw }, p.shape);
    }
    const fused = attrStrings(node.attr.fused_ops);
    const convInputs = [x.onnx, weight];
    let rest = fused;
    if (fused[0] === 'BiasAdd') {
      const b = floatConst(inputs[2], node);
      convInputs.push(emitFloat(ctx.g, b, [outC]));
      rest = fused.slice(1);
    } else if (fused.length) {
      throw new Error(`${node.name}: fused ops ${fused.join('+')} are not supported`);
    }
    let y = ctx.g.op('Conv', convInputs, {
      kernel_shape: attr.ints([kh, kw]),
      strides: attr.ints([strides[1], strides[2]]),
      dilations: attr.ints([dil[1] ?? 1, dil[2] ?? 1]),
      pads: attr.ints([ph[0], pw[0], ph[1], pw[1]]),
      group: attr.int(depthwise ? cin : 1),
    });
    for (const a of rest) y = activation(ctx, y, a);
    const shape = [x.shape[0], outSize(h, kh, strides[1], ph, dil[1] ?? 1), outSize(wd, kw, strides[2], pw, dil[2] ?? 1), outC];
    return { kind: 'tensor', onnx: y, shape, nchw: true };
  };
}

/** Conv2DBackpropInput (transposed conv): inputs (output sizes, filter [H,W,Cout,Cin], x). */
export const convTranspose: Handler = (ctx, node, inputs) => {
  const sizes = intsOf(inputs[0], node.name);
  const w = floatConst(inputs[1], node);
  const x = toNchw(ctx.g, tensor(inputs[2], node));
  const [kh, kw, cout] = w.shape;
  const strides = attrInts(node.attr.strides);
  const padding = attrString(node.attr.padding) ?? 'VALID';
  const p = permuteRaw(w.raw, elementSize(w.dtype), w.shape, [3, 2, 0, 1]); // [Cin,Cout,H,W]
  const weight = emitFloat(ctx.g, { dtype: w.dtype, raw: p.raw }, p.shape);
  // The forward conv maps `sizes` to x's size; its pads are the transposed conv's crop.
  const ph = axisPads(padding, sizes[1], kh, strides[1]);
  const pw = axisPads(padding, sizes[2], kw, strides[2]);
  const natural = (i: number, k: number, s: number, pads: [number, number]) => s * (i - 1) + k - pads[0] - pads[1];
  const oph = sizes[1] - natural(x.shape[1], kh, strides[1], ph);
  const opw = sizes[2] - natural(x.shape[2], kw, strides[2], pw);
  const y = ctx.g.op('ConvTranspose', [x.onnx, weight], {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([strides[1], strides[2]]),
    pads: attr.ints([ph[0], pw[0], ph[1], pw[1]]),
    output_padding: attr.ints([oph, opw]),
  });
  return { kind: 'tensor', onnx: y, shape: [x.shape[0], sizes[1], sizes[2], cout], nchw: true };
};

export function pool(onnxOp: string): Handler {
  return (ctx, node, inputs) => {
    const x = toNchw(ctx.g, tensor(inputs[0], node));
    const k = attrInts(node.attr.ksize);
    const s = attrInts(node.attr.strides);
    const padding = attrString(node.attr.padding) ?? 'VALID';
    const ph = axisPads(padding, x.shape[1], k[1], s[1]);
    const pw = axisPads(padding, x.shape[2], k[2], s[2]);
    // TF's SAME average pooling divides by the number of real pixels: count_include_pad = 0 (the default).
    const y = ctx.g.op(onnxOp, [x.onnx], {
      kernel_shape: attr.ints([k[1], k[2]]),
      strides: attr.ints([s[1], s[2]]),
      pads: attr.ints([ph[0], pw[0], ph[1], pw[1]]),
    });
    return { kind: 'tensor', onnx: y, shape: [x.shape[0], outSize(x.shape[1], k[1], s[1], ph), outSize(x.shape[2], k[2], s[2], pw), x.shape[3]], nchw: true };
  };
}

