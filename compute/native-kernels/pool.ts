/** MaxPool and MaxPoolGrad in the addon, with the cpu kernels' rules for ties and padding. */
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import { allocate, floats, nativeKernel, output, size, type NativeContext } from './kernel';

type Shape4 = [number, number, number, number];

/** The 14 numbers the addon's pooling takes. */
function poolDims(xShape: number[], attrs: NamedAttrMap): { dims: number[]; outShape: number[] } {
  const info = backend_util.computePool2DInfo(
    xShape as Shape4,
    attrs.filterSize as number | [number, number],
    attrs.strides as number | [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const dims = [
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.filterHeight, info.filterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left,
  ];
  return { dims, outShape: info.outShape };
}

export function maxPoolKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'MaxPool', cpu, ({ inputs, attrs = {} }, backend) => {
    const xInfo = inputs.x as TensorInfo;
    const x = floats(backend, xInfo);
    if (!x || xInfo.shape.length !== 4) return undefined;
    const { dims, outShape } = poolDims(xInfo.shape, attrs);
    const out = allocate(backend, size(outShape));
    ctx.addon.maxPool(x, out, dims);
    return output(backend, outShape, out);
  });
}

export function maxPoolGradKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'MaxPoolGrad', cpu, ({ inputs, attrs = {} }, backend) => {
    const xInfo = inputs.input as TensorInfo;
    const x = floats(backend, xInfo);
    const dy = floats(backend, inputs.dy as TensorInfo);
    if (!x || !dy || xInfo.shape.length !== 4) return undefined;
    const { dims } = poolDims(xInfo.shape, attrs);
    const dx = allocate(backend, x.length);
    ctx.addon.maxPoolGrad(dy, x, dx, dims);
    return output(backend, xInfo.shape, dx);
  });
}
