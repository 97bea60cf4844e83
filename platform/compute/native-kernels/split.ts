/**
 * SplitV (the gradient of concat, e.g. two branches joined on the channel axis) as
 * block copies of each row: the cpu kernel slices element by element.
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
