/**
 * Softmax over the last axis in one pass per row. The cpu kernel composes it from six
 * kernels (max, reshape, sub, exp, sum, div), each with its own output array: most of a
 * small classifier's prediction time. The arithmetic is the cpu kernels', rounded to
 * float32 where each of them stores its result, so the values are the same bit for bit.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { allocate, floats, nativeKernel, output, type NativeContext } from './kernel';

export function softmaxKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Softmax', cpu, ({ inputs, attrs = {} }, backend) => {
    const logits = inputs.logits as TensorInfo;
    const x = floats(backend, logits);
    const rank = logits.shape.length;
    const dim = attrs.dim as number;
    if (!x || rank === 0 || (dim !== -1 && dim !== rank - 1)) return undefined;
    const width = logits.shape[rank - 1];
    const out = allocate(backend, x.length);
    for (let row = 0; row < x.length; row += width) softmaxRow(x, out, row, width);
    return output(backend, logits.shape, out);
  });
}

function softmaxRow(x: Float32Array, out: Float32Array, start: number, width: number): void {
  const end = start + width;
  let max = x[start];
  for (let i = start; i < end; i++) if (Number.isNaN(x[i]) || x[i] > max) max = x[i];
  // max - sub - exp, each stored as float32; the sum adds the float32 values in double, as the cpu Sum does.
  let sum = 0;
  for (let i = start; i < end; i++) {
    out[i] = Math.exp(Math.fround(x[i] - max));
    sum += out[i];
  }
  const total = Math.fround(sum);
  for (let i = start; i < end; i++) out[i] = out[i] / total;
}
