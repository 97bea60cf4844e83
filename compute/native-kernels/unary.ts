/**
 * Functions of one value in the addon: the activations of fused kernels, and those
 * optimizers (Adadelta's square roots) and losses run over whole arrays.
 */
import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs';
import { allocate, ACTIVATIONS, floats, nativeKernel, output, type NativeContext } from './kernel';

/** tfjs kernel name → the addon's operation code (see common.h). */
const UNARY: Record<string, number> = {
  Relu: ACTIVATIONS.relu!, Relu6: ACTIVATIONS.relu6!, Sigmoid: ACTIVATIONS.sigmoid!, Elu: ACTIVATIONS.elu!, LeakyRelu: ACTIVATIONS.leakyrelu!,
  Sqrt: 6, Square: 7, Tanh: 8, Exp: 9, Log: 10, Neg: 11, Abs: 12,
};

export const UNARY_KERNELS = Object.keys(UNARY);

/** Below this many values the cpu kernel's own loop costs less than a call into the addon. */
const NATIVE_FROM = 1024;

export function unaryKernel(ctx: NativeContext, name: string, cpu: KernelConfig | undefined): KernelConfig {
  const activation = UNARY[name];
  return nativeKernel(ctx, name, cpu, ({ inputs, attrs }, backend) => {
    const xInfo = inputs.x as TensorInfo;
    const x = floats(backend, xInfo);
    if (!x || x.length < NATIVE_FROM) return undefined;
    const out = allocate(backend, x.length);
    ctx.addon.unary(activation, x, out, Number(attrs?.alpha ?? 0.2));
    return output(backend, xInfo.shape, out);
  });
}
