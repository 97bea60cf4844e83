/**
 * Picks the compute backend once per process, the fastest first (bench/): our native
 * addon (oneDNN + OpenBLAS, built at install where the libraries are), TensorFlow's
 * library through @tensorflow/tfjs-node where that installed, pure tfjs on WebAssembly
 * (SIMD), tfjs' plain JavaScript kernels. A workload that needs kernels a backend lacks
 * (wasm has no UnsortedSegmentSum, so embeddings cannot train there) says so with
 * `needs`, and gets the fastest backend that has them all. `TF_BACKEND` forces one.
 * This is the one place that choice is made: boot files (`loadTf()`), service
 * instances and the bench all come here.
 */
import { BACKEND_NAMES, loadComputeConfig, type BackendName, type ComputeConfig } from '../kernel/config';
import { installConvGradients } from './conv-kernels';
import { startNativeBackend } from './native-backend';
import { installWasmMatMul } from './wasm-matmul';
import { installWasmMaxPoolGrad } from './wasm-maxpool';
import type { Tf } from './tf-module';
import { keepSavedTensorsWithoutKernels } from './saved-tensors';

export type { Tf };
export { BACKEND_NAMES, type BackendName };

export interface Compute {
  tf: Tf;
  backend: BackendName;
  /** What computes, for people: "native (oneDNN 2.6.3, OpenBLAS 0.3.21; 2 threads)", "wasm (…)". */
  description: string;
  /** Why a faster backend was not used, for the start-up banner and /health. */
  notes: string[];
}

export interface ComputeOptions {
  /** This backend and no other (TF_BACKEND, when set, wins). */
  backend?: BackendName;
  /** tfjs kernel names the workload runs, e.g. ['UnsortedSegmentSum'] to train an embedding. */
  needs?: readonly string[];
}

let current: Promise<Compute> | undefined;

/**
 * The process-wide compute backend, initialised on first use with these options (or
 * a backend's name); a later call whose `needs` the chosen backend lacks is refused,
 * saying what is missing.
 */
export async function compute(choice: ComputeOptions | BackendName = {}): Promise<Compute> {
  const options = typeof choice === 'string' ? { backend: choice } : choice;
  current ??= initialise(loadComputeConfig(), options.backend, options.needs ?? []);
  const chosen = await current;
  const missing = lacking(chosen.tf, chosen.backend, options.needs ?? []);
  if (missing.length) {
    throw new Error(
      `this process already computes on ${chosen.backend}, which has no ${missing.join(', ')} kernel; ask for them in the first loadTf({ needs }) call, or set TF_BACKEND`,
    );
  }
  return chosen;
}

async function initialise(config: ComputeConfig, asked: BackendName | undefined, needs: readonly string[]): Promise<Compute> {
  const notes: string[] = [];
  const prefer = config.backend ?? asked;
  // tfjs-node cannot install anywhere now: it is tried only where it did.
  const order = prefer ? [prefer] : BACKEND_NAMES.filter((b) => b !== 'tensorflow' || tfjsNodeInstalled());
  for (const name of order) {
    try {
      const started = await tryBackend(name, config);
      const missing = started ? lacking(started.tf, name, needs) : [];
      if (started && (!missing.length || prefer)) return { tf: started.tf, backend: name, description: started.description, notes };
      if (missing.length) notes.push(`${name}: has no ${missing.join(', ')} kernel`);
    } catch (err) {
      notes.push(`${name}: ${firstLine(err)}`);
    }
  }
  throw new Error(`no compute backend could start (${notes.join('; ')})`);
}

function lacking(tf: Tf, backend: BackendName, needs: readonly string[]): string[] {
  return needs.filter((kernel) => !tf.getKernel(kernel, backend));
}

const DESCRIPTIONS: Record<BackendName, string> = {
  native: 'native',
  tensorflow: 'tensorflow (native TensorFlow, @tensorflow/tfjs-node)',
  wasm: 'wasm (tfjs WebAssembly backend, one thread)',
  cpu: 'cpu (tfjs plain JavaScript backend)',
};

async function tryBackend(name: BackendName, config: ComputeConfig): Promise<{ tf: Tf; description: string } | undefined> {
  if (name === 'tensorflow') {
    // tfjs-node registers the 'tensorflow' backend and re-exports tfjs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- optional: loaded only when installed and chosen
    const tf = require('@tensorflow/tfjs-node') as Tf;
    quiet(tf);
    return (await tf.setBackend('tensorflow')) ? { tf, description: DESCRIPTIONS.tensorflow } : undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- synchronously, after the backend is chosen
  const tf = require('@tensorflow/tfjs') as Tf;
  quiet(tf);
  let description = DESCRIPTIONS[name];
  if (name === 'native') {
    const native = startNativeBackend(tf, config);
    description = `native (${native.libraries}; up to ${config.threads} threads)`;
  }
  const before = processListeners();
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- registers the backend on the one tfjs, only when chosen
    require('@tensorflow/tfjs-backend-wasm');
  }
  try {
    if (!(await tf.setBackend(name))) return undefined;
    await tf.ready();
  } finally {
    restoreListeners(before);
  }
  keepSavedTensorsWithoutKernels(tf);
  if (name !== 'native') installConvGradients(tf, name);
  if (name === 'wasm') {
    installWasmMatMul(tf);
    installWasmMaxPoolGrad(tf);
  }
  return { tf, description };
}

type ProcessEvent = 'uncaughtException' | 'unhandledRejection';
type ListenerSnapshot = Record<ProcessEvent, unknown[]>;

function processListeners(): ListenerSnapshot {
  return { uncaughtException: process.listeners('uncaughtException'), unhandledRejection: process.listeners('unhandledRejection') };
}

/**
 * The wasm backend's glue code installs process-wide handlers that rethrow every
 * uncaught error from inside its minified source, which buries the real error under
 * a screenful of code. Node's own handling is kept instead.
 */
function restoreListeners(before: ListenerSnapshot): void {
  const events = process as unknown as NodeJS.EventEmitter;
  for (const event of ['uncaughtException', 'unhandledRejection'] as const) {
    for (const listener of events.listeners(event)) {
      if (!before[event].includes(listener)) events.removeListener(event, listener as (...args: unknown[]) => void);
    }
  }
}

/** The "install tfjs-node" hint is ours to give, once, in the banner. */
function quiet(tf: Tf): void {
  tf.env().set('PROD', true);
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.split('\n')[0];
}

/** Whether tfjs-node is installed here (it may still fail to load), without switching this process to it. */
export function tfjsNodeInstalled(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
