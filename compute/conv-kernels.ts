/**
 * Wires the convolution gradients of conv-gradients.ts into tfjs for the backends that
 * need them: the `Conv2D` gradient (so dilated convolutions train too) and the
 * `Conv2DBackpropFilter` / `Conv2DBackpropInput` kernels, which fused convolutions
 * (layers without an activation) and conv2dTranspose call directly. TensorFlow's
 * native kernels are left alone.
 */
import type { GradConfig, KernelConfig, NamedAttrMap, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import { conv2dFilterGradient, conv2dInputGradient, type ConvAttrs } from './conv-gradients';
import type { Tf } from './tf-module';
import { replaceKernel } from './kernel-override';

const CONV = 'Conv2D';
const FILTER_KERNEL = 'Conv2DBackpropFilter';
const INPUT_KERNEL = 'Conv2DBackpropInput';

/** What tfjs had before we installed ours, to compare against. */
interface Builtins {
  gradient?: GradConfig;
  /** "kernel/backend" → the backend's own kernel (undefined where it had none). */
  kernels: Map<string, KernelConfig | undefined>;
}

let builtins: Builtins | undefined;

/** Installs our Conv2D gradient and backprop kernels for `backend` (idempotent). */
export function installConvGradients(tf: Tf, backend: string): void {
  if (backend === 'tensorflow') return;
  if (!builtins) {
    builtins = { gradient: tf.getGradient(CONV), kernels: new Map() };
    tf.registerGradient(conv2dGradient(tf));
  }
  for (const ours of [filterKernel(tf, backend), inputKernel(tf, backend)]) {
    const key = `${ours.kernelName}/${backend}`;
    if (builtins.kernels.has(key)) continue;
    builtins.kernels.set(key, tf.getKernel(ours.kernelName, backend));
    replaceKernel(tf, ours.kernelName, backend, ours);
  }
}

/**
 * Puts tfjs' own Conv2D gradient and the backends' own backprop kernels back in place
 * of ours (wasm then has none), until the returned function restores ours: the
 * reference in numerical checks and in the benchmark.
 */
export function useBuiltinConvGradients(tf: Tf): () => void {
  const saved = builtins;
  if (!saved) return () => undefined;
  const keys = [...saved.kernels.keys()];
  const ours = { gradient: tf.getGradient(CONV), kernels: keys.map((key) => tf.getKernel(...splitKey(key))) };
  swapIn(tf, saved.gradient, [...saved.kernels.entries()]);
  return () => swapIn(tf, ours.gradient, keys.map((key, i) => [key, ours.kernels[i]]));
}

/** Runs `fn` (synchronous) with tfjs' own convolution gradients; see useBuiltinConvGradients. */
export function withBuiltinConvGradients<T>(tf: Tf, fn: () => T): T {
  const restore = useBuiltinConvGradients(tf);
  try {
    return fn();
  } finally {
    restore();
  }
}

function swapIn(tf: Tf, gradient: GradConfig | undefined, kernels: [string, KernelConfig | undefined][]): void {
  tf.unregisterGradient(CONV);
  if (gradient) tf.registerGradient(gradient);
  for (const [key, kernel] of kernels) replaceKernel(tf, ...splitKey(key), kernel);
}

function splitKey(key: string): [string, string] {
  const [name, backend] = key.split('/');
  return [name, backend];
}

/** Backends whose backprop kernels take dilations (the native one): the gradient calls their kernels. */
const kernelGradientBackends = new Set<string>();

/** Makes the Conv2D gradient run `backend`'s own backprop kernels, passing the dilations along. */
export function useBackpropKernelsInGradient(backend: string): void {
  kernelGradientBackends.add(backend);
}

/**
 * The Conv2D gradient, dilated convolutions included (tfjs' own refuses them): the
 * backend's two backprop kernels where they take dilations, else the convolutions of
 * conv-gradients.ts (whatever backprop kernels the backend has).
 */
function conv2dGradient(tf: Tf): GradConfig {
  return {
    kernelName: CONV,
    inputsToSave: ['x', 'filter'],
    gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
      const [x, filter] = saved as Tensor4D[];
      const conv = attrs as unknown as ConvAttrs;
      if (!kernelGradientBackends.has(tf.getBackend())) {
        return {
          x: () => conv2dInputGradient(tf, x.shape, dy as Tensor4D, filter, conv),
          filter: () => conv2dFilterGradient(tf, x, dy as Tensor4D, filter.shape, conv),
        };
      }
      const { strides, pad, dataFormat, dimRoundingMode, dilations } = conv;
      const common = { strides, pad, dataFormat, dimRoundingMode, dilations } as unknown as NamedAttrMap;
      return {
        x: () => tf.engine().runKernel(INPUT_KERNEL, { dy: dy as Tensor, filter }, { ...common, inputShape: x.shape }) as Tensor4D,
        filter: () => tf.engine().runKernel(FILTER_KERNEL, { x, dy: dy as Tensor }, { ...common, filterShape: filter.shape }) as Tensor4D,
      };
    },
  };
}

type Shape4 = Tensor4D['shape'];

/** The kernel `name` for `backend`, computed with tensor ops; tfjs keeps a returned Tensor as the output. */
function opKernel(name: string, backend: string, run: (inputs: Record<string, Tensor4D>, attrs: Record<string, unknown>) => Tensor4D): KernelConfig {
  return {
    kernelName: name,
    backendName: backend,
    kernelFunc: ({ inputs, attrs }) => run(inputs as Record<string, Tensor4D>, attrs as Record<string, unknown>) as unknown as TensorInfo,
  };
}

function filterKernel(tf: Tf, backend: string): KernelConfig {
  return opKernel(FILTER_KERNEL, backend, ({ x, dy }, attrs) => conv2dFilterGradient(tf, x, dy, attrs.filterShape as Shape4, attrs as unknown as ConvAttrs));
}

function inputKernel(tf: Tf, backend: string): KernelConfig {
  return opKernel(INPUT_KERNEL, backend, ({ dy, filter }, attrs) => conv2dInputGradient(tf, attrs.inputShape as Shape4, dy, filter, attrs as unknown as ConvAttrs));
}
