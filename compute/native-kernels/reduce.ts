/** Sum over leading axes (a bias' gradient) or trailing axes, in the addon. */
import { util, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs';
import { allocate, floats, nativeKernel, output, size, type NativeContext } from './kernel';

export function sumKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Sum', cpu, ({ inputs, attrs = {} }, backend) => {
    const xInfo = inputs.x as TensorInfo;
    const x = floats(backend, xInfo);
    const rank = xInfo.shape.length;
    if (!x || rank === 0) return undefined;
    const axes = [...new Set(util.parseAxisParam(attrs.axis as number | number[], xInfo.shape))].sort((p, q) => p - q);
    const leading = axes.every((axis, i) => axis === i);
    const trailing = axes.every((axis, i) => axis === rank - axes.length + i);
    if (!leading && !trailing) return undefined;
    const kept = xInfo.shape.filter((_, i) => !axes.includes(i));
    const shape = attrs.keepDims ? xInfo.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : kept;
    const out = allocate(backend, size(kept));
    const reduced = size(axes.map((a) => xInfo.shape[a]));
    if (leading) ctx.addon.sumRows(x, out, reduced, out.length);
    else ctx.addon.sumCols(x, out, out.length, reduced);
    return output(backend, shape, out);
  });
}
