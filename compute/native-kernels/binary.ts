/**
 * Add, Sub, Multiply and RealDiv of float32 tensors whose broadcast is a plain one: the
 * same shape, a scalar, a row (a bias: the trailing dimensions) or a column (the
 * leading ones, e.g. dividing by a sum kept as [n, 1]). Others go to the cpu kernels.
 */
import { backend_util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { allocate, floats, nativeKernel, output, size, type NativeContext } from './kernel';

const OPS: Record<string, number> = { Add: 0, Sub: 1, Multiply: 2, RealDiv: 3 };

/** Rows and columns of the output, and each operand's [row stride, column stride]. */
interface Layout {
  rows: number;
  cols: number;
  a: [number, number];
  b: [number, number];
}

function layout(aShape: number[], bShape: number[], outShape: number[]): Layout | undefined {
  const n = size(outShape);
  const inner = (shape: number[]) => strides(shape, outShape, n);
  const a = inner(aShape);
  const b = inner(bShape);
  if (!a || !b || (a.cols && b.cols && a.cols !== b.cols)) return undefined;
  // Where neither operand fixes the split, rows of the output's last dimension keep threads busy.
  const cols = a.cols ?? b.cols ?? outShape[outShape.length - 1] ?? 1;
  if (n % cols) return undefined;
  return { rows: n / cols, cols, a: a.strides(cols), b: b.strides(cols) };
}

/** How one operand of `shape` is read in an output of `outShape` (n values), or undefined. */
function strides(shape: number[], outShape: number[], n: number): { cols?: number; strides: (cols: number) => [number, number] } | undefined {
  const count = size(shape);
  if (count === n) return { strides: (cols) => [cols, 1] };
  if (count === 1) return { strides: () => [0, 0] };
  const rank = outShape.length;
  const padded = [...new Array(rank - shape.length).fill(1), ...shape];
  const firstReal = padded.findIndex((d) => d !== 1);
  const lastReal = rank - 1 - [...padded].reverse().findIndex((d) => d !== 1);
  const matches = (from: number, to: number) => padded.slice(from, to).every((d, i) => d === outShape[from + i]);
  // A row: its dimensions are the output's trailing ones.
  if (matches(firstReal, rank) && padded.slice(0, firstReal).every((d) => d === 1)) {
    return { cols: count, strides: () => [0, 1] };
  }
  // A column: its dimensions are the output's leading ones, then 1s.
  if (matches(0, lastReal + 1)) return { cols: n / count, strides: () => [1, 0] };
  return undefined;
}

export function binaryKernel(ctx: NativeContext, name: string, cpu: KernelConfig | undefined): KernelConfig {
  const op = OPS[name];
  return nativeKernel(ctx, name, cpu, ({ inputs }, backend) => {
    const aInfo = inputs.a as TensorInfo;
    const bInfo = inputs.b as TensorInfo;
    const a = floats(backend, aInfo);
    const b = floats(backend, bInfo);
    if (!a || !b) return undefined;
    const outShape = backend_util.assertAndGetBroadcastShape(aInfo.shape, bInfo.shape);
    const n = size(outShape);
    // Even small ones: the cpu kernel computes each broadcast element's index (about 100 ns each).
    const l = layout(aInfo.shape, bInfo.shape, outShape);
    if (!l) return undefined;
    const out = allocate(backend, n);
    ctx.addon.binary(op, a, b, out, l.rows, l.cols, [...l.a, ...l.b]);
    return output(backend, outShape, out);
  });
}

export const BINARY_KERNELS = Object.keys(OPS);
