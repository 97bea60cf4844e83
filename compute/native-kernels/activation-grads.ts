/**
 * The gradients of relu and sigmoid in one pass each (dy where x > 0; dy·y·(1−y))
 * instead of tfjs' three or four operations: kernels of the native backend, and the
 * Relu and Sigmoid gradients asking for them there. Gradients are registered for every
 * backend at once in tfjs, so other backends keep tfjs' own.
 */
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, TensorInfo } from '@tensorflow/tfjs';
import type { NativeAddon } from '../native-addon';
import type { Tf } from '../tf-module';
import { allocate, floats, nativeKernel, output, type NativeContext } from './kernel';

interface ActivationGrad {
  /** The activation's kernel, whose gradient is replaced. */
  forward: 'Relu' | 'Sigmoid';
  /** The native kernel computing it from dy and the saved tensor. */
  kernel: string;
  compute: (addon: NativeAddon) => (dy: Float32Array, saved: Float32Array, out: Float32Array) => void;
}

const GRADS: ActivationGrad[] = [
  { forward: 'Relu', kernel: 'NativeReluGrad', compute: (addon) => addon.reluGrad },
  { forward: 'Sigmoid', kernel: 'NativeSigmoidGrad', compute: (addon) => addon.sigmoidGrad },
];

export function activationGradKernels(ctx: NativeContext): KernelConfig[] {
  return GRADS.map(({ kernel, compute }) =>
    nativeKernel(ctx, kernel, undefined, ({ inputs }, backend) => {
      const dy = floats(backend, inputs.dy as TensorInfo);
      const saved = floats(backend, inputs.saved as TensorInfo);
      if (!dy || !saved || dy.length !== saved.length) return undefined;
      const out = allocate(backend, saved.length);
      compute(ctx.addon).call(ctx.addon, dy, saved, out);
      return output(backend, (inputs.saved as TensorInfo).shape, out);
    }),
  );
}

/** Relu's and Sigmoid's gradients: the native kernels on `backend`, tfjs' own elsewhere. */
export function installActivationGradients(tf: Tf, backend: string): void {
  for (const { forward, kernel } of GRADS) {
    const builtin = tf.getGradient(forward);
    if (!builtin || (builtin as { native?: boolean }).native) continue;
    const gradient: GradConfig & { native: true } = {
      ...builtin,
      native: true,
      gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
        // Relu saves its input, Sigmoid its output: either is what the kernel reads.
        const [kept] = saved;
        if (tf.getBackend() !== backend || kept.dtype !== 'float32') return builtin.gradFunc(dy, saved, attrs);
        return { x: () => tf.engine().runKernel(kernel, { dy: dy as Tensor, saved: kept }) as Tensor };
      },
    };
    tf.registerGradient(gradient);
  }
}
