/** Relu, Relu6, Sigmoid, Elu and LeakyRelu in the addon (the activations of fused kernels). */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { allocate, ACTIVATIONS, floats, nativeKernel, output, type NativeContext } from './kernel';

/** tfjs kernel name → the addon's activation. */
const UNARY: Record<string, string> = { Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid', Elu: 'elu', LeakyRelu: 'leakyrelu' };

export const UNARY_KERNELS = Object.keys(UNARY);

/** Below this many values the cpu kernel's own loop costs less than a call into the addon. */
const NATIVE_FROM = 4096;

export function unaryKernel(ctx: NativeContext, name: string, cpu: KernelConfig | undefined): KernelConfig {
  const activation = ACTIVATIONS[UNARY[name]]!;
  return nativeKernel(ctx, name, cpu, ({ inputs, attrs }, backend) => {
    const xInfo = inputs.x as TensorInfo;
    const x = floats(backend, xInfo);
    if (!x || x.length < NATIVE_FROM) return undefined;
    const out = allocate(backend, x.length);
    ctx.addon.unary(activation, x, out, Number(attrs?.alpha ?? 0.2));
    return output(backend, xInfo.shape, out);
  });
}
