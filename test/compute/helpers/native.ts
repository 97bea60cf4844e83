import fs from 'node:fs';
import type { Tensor } from '@tensorflow/tfjs';
import { loadComputeConfig } from '../../../kernel/config';
import { startNativeBackend } from '../../../compute/native-backend';
import { loadNativeAddon } from '../../../compute/native-addon';
import { compute, type Tf } from '../../../compute/tf';
import { on, relativeError } from './backends';

/** Where Debian's packages put the headers the addon is built from. */
const LIBRARY_HEADERS = ['/usr/include/oneapi/dnnl/dnnl.hpp', '/usr/include/x86_64-linux-gnu/cblas.h'];

/** True where the libraries are installed, so the addon must have been built at `npm ci`. */
export function librariesInstalled(): boolean {
  return process.platform === 'linux' && process.arch === 'x64' && LIBRARY_HEADERS.every((f) => fs.existsSync(f));
}

/** Why the native backend cannot run here, or undefined when it can. */
export function nativeUnavailable(): string | undefined {
  const load = loadNativeAddon(loadComputeConfig());
  return load.addon ? undefined : `the native addon is ${load.reason}`;
}

/**
 * Mocha hooks for a suite that compares the native backend with the cpu backend: the
 * suite is skipped (saying why) where the addon is not built; the process's backend
 * is restored afterwards.
 */
export function useNativeBackend(): () => Tf {
  let tf: Tf | undefined;
  let previous = '';
  before(async function () {
    const why = nativeUnavailable();
    if (why) {
      console.log(`      skipped: ${why}`);
      this.skip();
    }
    ({ tf } = await compute());
    previous = tf.getBackend();
    startNativeBackend(tf, loadComputeConfig());
    await tf.setBackend('cpu');
  });
  after(async () => {
    if (tf && previous) await tf.setBackend(previous);
  });
  return () => tf!;
}

/** Runs `fn` on native and on cpu; every output must agree within `tolerance` of its largest value. */
export async function agree(tf: Tf, fn: () => Tensor[], tolerance: number, label = ''): Promise<number> {
  const expected = await on(tf, 'cpu', fn);
  const actual = await on(tf, 'native', fn);
  if (actual.length !== expected.length) throw new Error(`${label}: ${actual.length} outputs, cpu gave ${expected.length}`);
  let worst = 0;
  actual.forEach((a, i) => {
    const error = relativeError(a, expected[i]);
    worst = Math.max(worst, error);
    if (!(error <= tolerance)) throw new Error(`${label} output ${i} differs from the cpu kernel's by ${error} (tolerance ${tolerance})`);
  });
  return worst;
}

/** Calls of `kernel` the addon computed, and calls left to the cpu kernel, so far in this process. */
export function nativeCalls(kernel: string): { native: number; fallback: number } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the process's one tfjs, synchronously
  const { counts } = startNativeBackend(require('@tensorflow/tfjs') as Tf, loadComputeConfig());
  return { ...(counts.get(kernel) ?? { native: 0, fallback: 0 }) };
}

/** Runs `fn` and checks that each of `kernels` ran in the addon, never on the cpu fallback. */
export async function ranNatively<T>(kernels: string[], fn: () => Promise<T>): Promise<T> {
  const before = kernels.map(nativeCalls);
  const result = await fn();
  kernels.forEach((kernel, i) => {
    const after = nativeCalls(kernel);
    if (after.native === before[i].native) throw new Error(`${kernel} never ran in the addon`);
    if (after.fallback !== before[i].fallback) throw new Error(`${kernel} fell back to the cpu kernel ${after.fallback - before[i].fallback} times`);
  });
  return result;
}

/** A seeded generator (mulberry32): the same "random" shapes on every run, so a failure reproduces. */
export function seeded(seed: number): { int: (lo: number, hi: number) => number; pick: <T>(items: readonly T[]) => T } {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  return { int, pick: (items) => items[int(0, items.length - 1)] };
}
