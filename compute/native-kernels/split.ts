/**
 * Concat (e.g. two branches joined on the channel axis) and SplitV (its gradient) as
 * block copies of each row: the cpu kernels copy element by element.
 */
import { backend_util, util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { allocate, floats, nativeKernel, output, size, type NativeContext } from './kernel';

export function splitVKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'SplitV', cpu, ({ inputs, attrs = {} }, backend) => {
    const xInfo = inputs.x as TensorInfo;
    const x = floats(backend, xInfo);
    if (!x) return undefined;
    const axis = util.parseAxisParam(attrs.axis as number, xInfo.shape)[0];
    const sizes = backend_util.prepareSplitSize(xInfo, attrs.numOrSizeSplits as number | number[], axis);
    const outer = size(xInfo.shape.slice(0, axis));
    const inner = size(xInfo.shape.slice(axis + 1));
    const row = xInfo.shape[axis] * inner;
    let offset = 0;
    return sizes.map((s) => {
      const width = s * inner;
      const out = allocate(backend, outer * width);
      for (let r = 0; r < outer; r++) out.set(x.subarray(r * row + offset, r * row + offset + width), r * width);
      offset += width;
      const shape = xInfo.shape.slice();
      shape[axis] = s;
      return output(backend, shape, out);
    });
  });
}

export function concatKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Concat', cpu, ({ inputs, attrs = {} }, backend) => {
    const parts = Object.values(inputs) as TensorInfo[];
    const values = parts.map((t) => floats(backend, t));
    if (!parts.length || values.some((v) => !v)) return undefined;
    const axis = util.parseAxisParam(attrs.axis as number, parts[0].shape)[0];
    const shape = backend_util.computeOutShape(parts.map((t) => t.shape), axis);
    const outer = size(shape.slice(0, axis));
    const widths = parts.map((t) => size(t.shape.slice(axis)));
    const row = widths.reduce((a, b) => a + b, 0);
    const out = allocate(backend, outer * row);
    let offset = 0;
    parts.forEach((_, i) => {
      const v = values[i]!;
      const w = widths[i];
      for (let r = 0; r < outer; r++) out.set(v.subarray(r * w, (r + 1) * w), r * row + offset);
      offset += w;
    });
    return output(backend, shape, out);
  });
}
