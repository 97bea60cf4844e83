/**
 * Relu's gradient in one pass (dy where x > 0) instead of tfjs' step, cast and multiply:
 * a kernel of the native backend, and Relu's gradient asking for it there. Gradients are
 * registered for every backend at once in tfjs, so other backends keep tfjs' own.
 */
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from '../tf';
import { allocate, floats, nativeKernel, output, type NativeContext } from './kernel';

export const RELU_GRAD = 'NativeReluGrad';

export function reluGradKernel(ctx: NativeContext): KernelConfig {
  return nativeKernel(ctx, RELU_GRAD, undefined, ({ inputs }, backend) => {
    const dy = floats(backend, inputs.dy as TensorInfo);
    const x = floats(backend, inputs.x as TensorInfo);
    if (!dy || !x || dy.length !== x.length) return undefined;
    const out = allocate(backend, x.length);
    ctx.addon.reluGrad(dy, x, out);
    return output(backend, (inputs.x as TensorInfo).shape, out);
  });
}

/** Relu's gradient: the native kernel on the native backend, tfjs' own elsewhere. */
export function installReluGradient(tf: Tf, backend: string): void {
  const builtin = tf.getGradient('Relu');
  if (!builtin || (builtin as { native?: boolean }).native) return;
  const gradient: GradConfig & { native: true } = {
    ...builtin,
    native: true,
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x] = saved;
      if (tf.getBackend() !== backend || x.dtype !== 'float32') return builtin.gradFunc(dy, saved, attrs);
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as Tensor, x }) as Tensor };
    },
  };
  tf.registerGradient(gradient);
}
