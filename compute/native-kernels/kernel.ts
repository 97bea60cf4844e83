/**
 * What every native kernel shares: reading a tensor's Float32Array in place from the
 * backend, handing a new array back as the output, and falling back to the cpu
 * backend's own kernel for whatever the addon does not cover (other dtypes, shapes or
 * options), so the native backend runs every model the cpu backend runs.
 */
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { NativeAddon } from '../native-addon';
import { NativeStorage } from '../native-storage';

export type KernelArgs = Parameters<KernelFunc>[0];

export interface NativeContext {
  addon: NativeAddon;
  /** Called before each native kernel runs (the thread share's heartbeat). */
  beforeKernel(): void;
  /** Per kernel name: calls the addon computed, and calls left to the cpu kernel. */
  counts: Map<string, { native: number; fallback: number }>;
}

/** A float32 tensor's values, the backend's own array (undefined for other dtypes). */
export function floats(backend: MathBackendCPU, t: TensorInfo): Float32Array | undefined {
  if (t.dtype !== 'float32') return undefined;
  const values = backend.data.get(t.dataId).values;
  return values instanceof Float32Array ? values : undefined;
}

/** An output array for a kernel that writes every element (reused memory on the native backend). */
export function allocate(backend: MathBackendCPU, length: number): Float32Array {
  return backend instanceof NativeStorage ? backend.allocate(length) : new Float32Array(length);
}

export function output(backend: MathBackendCPU, shape: number[], values: Float32Array): TensorInfo {
  return backend.makeTensorInfo(shape, 'float32', values);
}

export function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** tfjs' fused activations as the addon numbers them; undefined: not native (prelu). */
export const ACTIVATIONS: Record<string, number | undefined> = { linear: 0, relu: 1, relu6: 2, sigmoid: 3, elu: 4, leakyrelu: 5 };

export function activationCode(attrs: NamedAttrMap): number | undefined {
  return ACTIVATIONS[(attrs.activation as string | undefined) ?? 'linear'];
}

/**
 * The kernel `name` for the native backend: `run` computes it, or returns undefined
 * to leave the call to `fallback` (the cpu backend's kernel of that name).
 */
export function nativeKernel(
  ctx: NativeContext,
  name: string,
  fallback: KernelConfig | undefined,
  run: (args: KernelArgs, backend: MathBackendCPU) => TensorInfo | TensorInfo[] | undefined,
): KernelConfig {
  return {
    kernelName: name,
    backendName: 'native',
    kernelFunc: (args) => {
      ctx.beforeKernel();
      const result = run(args, args.backend as MathBackendCPU);
      const count = ctx.counts.get(name) ?? { native: 0, fallback: 0 };
      ctx.counts.set(name, count);
      if (result) {
        count.native++;
        return result;
      }
      if (!fallback) throw new Error(`the native backend has no ${name} kernel for these inputs`);
      count.fallback++;
      return fallback.kernelFunc(args);
    },
  };
}
