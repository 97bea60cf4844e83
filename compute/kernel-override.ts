import type { KernelConfig } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';

const overridden = new Set<string>();

/**
 * Puts `make(builtin)` in place of `backend`'s kernel `name`, once per process; does
 * nothing where the backend has no such kernel.
 */
export function overrideKernel(tf: Tf, name: string, backend: string, make: (builtin: KernelConfig) => KernelConfig): void {
  const key = `${name}/${backend}`;
  const builtin = tf.getKernel(name, backend);
  if (overridden.has(key) || !builtin) return;
  overridden.add(key);
  replaceKernel(tf, name, backend, make(builtin));
}

/** Registers `kernel` as `backend`'s `name` (or leaves none), whatever was there. */
export function replaceKernel(tf: Tf, name: string, backend: string, kernel: KernelConfig | undefined): void {
  if (tf.getKernel(name, backend)) tf.unregisterKernel(name, backend);
  if (kernel) tf.registerKernel(kernel);
}
