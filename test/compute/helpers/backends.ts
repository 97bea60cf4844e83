import type { Tensor } from '@tensorflow/tfjs';
import { compute, type Tf } from '../../../compute/tf';
import { installConvGradients } from '../../../compute/conv-kernels';
import { installWasmMatMul } from '../../../compute/wasm-matmul';
import { installWasmMaxPoolGrad } from '../../../compute/wasm-maxpool';

/**
 * tfjs with both fallback backends registered and our kernels installed on each, so a
 * test can run the same computation on cpu and wasm. `restore()` puts back the backend
 * the process had, for the tests that run after.
 */
export async function bothBackends(): Promise<{ tf: Tf; restore: () => Promise<void> }> {
  const { tf } = await compute();
  const previous = tf.getBackend();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend on the one tfjs, only when this test asks
  require('@tensorflow/tfjs-backend-wasm');
  for (const name of ['wasm', 'cpu'] as const) {
    await tf.setBackend(name);
    installConvGradients(tf, name);
  }
  installWasmMatMul(tf);
  installWasmMaxPoolGrad(tf);
  return { tf, restore: async () => void (await tf.setBackend(previous)) };
}

/** Mocha hooks that give the suite both backends and restore the process's one after; call in a describe. */
export function useBothBackends(): () => Tf {
  let tf: Tf | undefined;
  let restore: (() => Promise<void>) | undefined;
  before(async () => {
    ({ tf, restore } = await bothBackends());
  });
  after(async () => restore?.());
  return () => tf!;
}

/** Runs `fn` on `backend` and reads its tensors back as plain arrays. */
export async function on(tf: Tf, backend: string, fn: () => Tensor[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensors = tf.tidy(fn);
  const values = await Promise.all(tensors.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(tensors);
  return values;
}

/**
 * Largest difference over the largest finite magnitude of the reference: 0 when equal.
 * NaN and infinities must match exactly (a NaN where the reference has a number is Infinity).
 */
export function relativeError(actual: Float32Array, expected: Float32Array): number {
  if (actual.length !== expected.length) return Infinity;
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    if (!Number.isFinite(expected[i]) || !Number.isFinite(actual[i])) {
      if (!Object.is(actual[i], expected[i]) && !(Number.isNaN(actual[i]) && Number.isNaN(expected[i]))) return Infinity;
      continue;
    }
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}
