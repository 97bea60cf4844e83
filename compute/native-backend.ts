/**
 * The `native` tfjs backend: the cpu backend's storage (Float32Arrays in JavaScript
 * memory, large ones reused: native-storage.ts) and kernels, with the heavy kernels
 * replaced by the addon's (oneDNN, OpenBLAS).
 * A kernel the addon does not cover, or inputs it does not take, run on the cpu
 * backend's own code, so every model that runs on cpu runs here.
 */
import type { KernelConfig } from '@tensorflow/tfjs';
import type { ComputeConfig } from '../kernel/config';
import { installConvGradients, useBackpropKernelsInGradient } from './conv-kernels';
import { replaceKernel } from './kernel-override';
import { loadNativeAddon, type NativeAddon } from './native-addon';
import { NativeStorage } from './native-storage';
import { conv2dBackpropFilterKernel, conv2dBackpropInputKernel, conv2dKernel, fusedConv2dKernel } from './native-kernels/conv';
import type { NativeContext } from './native-kernels/kernel';
import { batchMatMulKernel, fusedMatMulKernel } from './native-kernels/matmul';
import { maxPoolGradKernel, maxPoolKernel } from './native-kernels/pool';
import { installNativeOptimizers } from './native-kernels/optimizers';
import { BINARY_KERNELS, binaryKernel } from './native-kernels/binary';
import { sumKernel } from './native-kernels/reduce';
import { softmaxKernel } from './native-kernels/softmax';
import { activationGradKernels, installActivationGradients } from './native-kernels/activation-grads';
import { concatKernel, splitVKernel } from './native-kernels/split';
import { UNARY_KERNELS, unaryKernel } from './native-kernels/unary';
import { ThreadShare } from './thread-share';
import type { Tf } from './tf-module';

const NATIVE = 'native';

type KernelMaker = (ctx: NativeContext, fallback: KernelConfig | undefined) => KernelConfig;

const KERNELS: [name: string, make: KernelMaker][] = [
  ['BatchMatMul', batchMatMulKernel],
  ['_FusedMatMul', fusedMatMulKernel],
  ['Conv2D', conv2dKernel],
  ['FusedConv2D', fusedConv2dKernel],
  ['Conv2DBackpropInput', conv2dBackpropInputKernel],
  ['Conv2DBackpropFilter', conv2dBackpropFilterKernel],
  ['MaxPool', maxPoolKernel],
  ['MaxPoolGrad', maxPoolGradKernel],
  ['Sum', sumKernel],
  ['Softmax', softmaxKernel],
  ['SplitV', splitVKernel],
  ['Concat', concatKernel],
  ...BINARY_KERNELS.map((name): [string, KernelMaker] => [name, (ctx, fallback) => binaryKernel(ctx, name, fallback)]),
  ...UNARY_KERNELS.map((name): [string, KernelMaker] => [name, (ctx, fallback) => unaryKernel(ctx, name, fallback)]),
];

export interface NativeStarted {
  /** e.g. "oneDNN 2.6.3, OpenBLAS 0.3.21". */
  libraries: string;
  addon: NativeAddon;
  share: ThreadShare;
  /** Per kernel: calls computed natively and calls left to the cpu kernel (tests, profiles). */
  counts: NativeContext['counts'];
}

let started: NativeStarted | undefined;

/** Loads the addon and registers the backend (once per process); throws saying why it cannot. */
export function startNativeBackend(tf: Tf, config: ComputeConfig): NativeStarted {
  if (started) return started;
  const load = loadNativeAddon(config);
  if (!load.addon) throw new Error(`the native addon is ${load.reason}`);
  const addon = load.addon;
  const share = new ThreadShare(config.shareDir, config.threads, (n) => addon.setThreads(n));
  addon.setThreads(config.threads);
  addon.setGemm('tune');
  const ctx: NativeContext = { addon, beforeKernel: () => share.beat(), counts: new Map() };
  tf.registerBackend(NATIVE, () => new NativeStorage(), 0);
  for (const kernel of tf.getKernelsForBackend('cpu')) tf.registerKernel({ ...kernel, backendName: NATIVE });
  // The convolution gradients as convolutions: what runs where oneDNN cannot.
  installConvGradients(tf, NATIVE);
  useBackpropKernelsInGradient(NATIVE);
  for (const [name, make] of KERNELS) replaceKernel(tf, name, NATIVE, make(ctx, tf.getKernel(name, NATIVE)));
  for (const kernel of activationGradKernels(ctx)) tf.registerKernel(kernel);
  installActivationGradients(tf, NATIVE);
  installNativeOptimizers(tf, ctx, NATIVE);
  started = { libraries: load.description, addon, share, counts: ctx.counts };
  return started;
}
