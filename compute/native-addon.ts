/**
 * Loads the native compute addon (compute/native: oneDNN and OpenBLAS behind
 * N-API), or says in one line why it cannot: switched off, never built (and why the
 * build at `npm ci` gave up), or a library missing at run time.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ComputeConfig } from '../kernel/config';

/** The addon's functions; every array is a backend's own Float32Array, written in place. */
export interface NativeAddon {
  info(): { onednn: string; openblas: string; openblasCore: string; threads: number; maxThreads: number };
  setThreads(n: number): void;
  setGemm(library: GemmLibrary): void;
  /** The tuned shapes: m, n, k, transposeA, transposeB, the library chosen, and each one's best seconds. */
  gemmChoices(): [number, number, number, boolean, boolean, 'openblas' | 'onednn', number, number][];
  matMul(
    a: Float32Array, b: Float32Array, out: Float32Array,
    batch: number, batchA: number, batchB: number, m: number, n: number, k: number,
    transposeA: boolean, transposeB: boolean, bias: Float32Array | null, activation: number, alpha: number,
  ): void;
  /** dims: N, C, H, W, OC, KH, KW, OH, OW, stride h/w, dilation h/w, pad top/left/bottom/right. False: oneDNN cannot. */
  conv2d(x: Float32Array, filter: Float32Array, out: Float32Array, dims: number[], nchw: boolean, bias: Float32Array | null, activation: number, alpha: number): boolean;
  conv2dBackpropInput(dy: Float32Array, filter: Float32Array, dx: Float32Array, dims: number[], nchw: boolean): boolean;
  conv2dBackpropFilter(x: Float32Array, dy: Float32Array, dw: Float32Array, dims: number[], nchw: boolean): boolean;
  /** dims: N, H, W, C, OH, OW, filter h/w, stride h/w, dilation h/w, pad top/left. */
  maxPool(x: Float32Array, out: Float32Array, dims: number[]): void;
  maxPoolGrad(dy: Float32Array, x: Float32Array, dx: Float32Array, dims: number[]): void;
  reluGrad(dy: Float32Array, x: Float32Array, out: Float32Array): void;
  /** out = dy · y · (1 − y), y the sigmoid's output. */
  sigmoidGrad(dy: Float32Array, y: Float32Array, out: Float32Array): void;
  /** out = activation(x): the codes of fused kernels (1 relu, 2 relu6, 3 sigmoid, 4 elu, 5 leaky relu with alpha). */
  unary(activation: number, x: Float32Array, out: Float32Array, alpha: number): void;
  /** op: 0 add, 1 sub, 2 mul, 3 div; strides: a's row and column stride, then b's (0 where broadcast). */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, rows: number, cols: number, strides: number[]): void;
  /** out[j] = Σ_r x[r, j]. */
  sumRows(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** out[r] = Σ_j x[r, j]. */
  sumCols(x: Float32Array, out: Float32Array, rows: number, cols: number): void;
  /** y += a · x. */
  axpy(a: number, x: Float32Array, y: Float32Array): void;
  adam(value: Float32Array, gradient: Float32Array, m: Float32Array, v: Float32Array, lr: number, beta1: number, beta2: number, epsilon: number, accBeta1: number, accBeta2: number): void;
}

/** One library for every product, or each large shape on the one measured faster on it. */
type GemmLibrary = 'openblas' | 'onednn' | 'tune';

export type AddonLoad = { addon: NativeAddon; description: string } | { addon?: undefined; reason: string };

/**
 * libgomp reads its settings once, when the addon loads it. Its threads otherwise spin
 * for a while after each parallel region, which takes a shared machine's cores from
 * other processes (and from OpenBLAS' threads) between kernels.
 */
const OPENMP_DEFAULTS: Record<string, string> = { OMP_WAIT_POLICY: 'PASSIVE' };

export function loadNativeAddon(config: ComputeConfig): AddonLoad {
  if (config.addon === 'off') return { reason: 'switched off (COMPUTE_ADDON=off)' };
  if (!fs.existsSync(config.addon)) return { reason: notBuilt(config.addon) };
  for (const [name, value] of Object.entries(OPENMP_DEFAULTS)) process.env[name] ??= value;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a .node addon loads only through require
    const addon = require(config.addon) as NativeAddon;
    const info = addon.info();
    return { addon, description: `oneDNN ${info.onednn}, OpenBLAS ${info.openblas.split(' ')[1] ?? '?'}` };
  } catch (err) {
    return { reason: `cannot be loaded: ${(err as Error).message.split('\n')[0]}` };
  }
}

/** Why the addon file is missing: what the build at install wrote down, if it ran. */
function notBuilt(file: string): string {
  const why = path.join(path.dirname(path.dirname(file)), 'unavailable.txt');
  const buildReason = fs.existsSync(why) ? fs.readFileSync(why, 'utf8').trim() : undefined;
  return buildReason ? `not built: ${buildReason}` : `not built (no ${file}; run npm run build:native)`;
}
