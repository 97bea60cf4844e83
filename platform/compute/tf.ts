/**
 * Picks the compute backend once per process: TensorFlow's native library through
 * @tensorflow/tfjs-node when it installed, otherwise pure tfjs on WebAssembly (SIMD),
 * otherwise tfjs' plain JavaScript kernels — the fastest first, for every workload
 * measured here (bench/). A workload that needs kernels a backend lacks (wasm has no
 * UnsortedSegmentSum, so embeddings cannot train there) says so with `needs`, and gets
 * the fastest backend that has them all. `TF_BACKEND` forces one.
 */
import type * as TfModule from '@tensorflow/tfjs';
import { installConvGradients } from './conv-kernels';
import { installWasmMatMul } from './wasm-matmul';
import { installWasmMaxPoolGrad } from './wasm-maxpool';

export type Tf = typeof TfModule;
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

export interface Compute {
  tf: Tf;
  backend: BackendName;
  /** Why a faster backend was not used, for the start-up banner. */
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
  current ??= initialise(envPreference() ?? options.backend, options.needs ?? []);
  const chosen = await current;
  const missing = lacking(chosen.tf, chosen.backend, options.needs ?? []);
  if (missing.length) {
    throw new Error(
      `this process already computes on ${chosen.backend}, which has no ${missing.join(', ')} kernel; ask for them in the first loadTf({ needs }) call, or set TF_BACKEND`,
    );
  }
  return chosen;
}

function envPreference(): BackendName | undefined {
  const raw = process.env.TF_BACKEND;
  if (!raw) return undefined;
  if (!(BACKEND_NAMES as readonly string[]).includes(raw)) {
    throw new Error(`TF_BACKEND=${JSON.stringify(raw)} is not valid: TF_BACKEND accepts ${BACKEND_NAMES.join(', ')}`);
  }
  return raw as BackendName;
}

async function initialise(prefer: BackendName | undefined, needs: readonly string[]): Promise<Compute> {
  const notes: string[] = [];
  const order = prefer ? [prefer] : BACKEND_NAMES;
  for (const name of order) {
    try {
      const tf = await tryBackend(name);
      const missing = tf ? lacking(tf, name, needs) : [];
      if (tf && (!missing.length || prefer)) return { tf, backend: name, notes };
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

async function tryBackend(name: BackendName): Promise<Tf | undefined> {
  if (name === 'tensorflow') {
    // tfjs-node registers the 'tensorflow' backend and re-exports tfjs.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const tf = require('@tensorflow/tfjs-node') as Tf;
    quiet(tf);
    return (await tf.setBackend('tensorflow')) ? tf : undefined;
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const tf = require('@tensorflow/tfjs') as Tf;
  quiet(tf);
  const before = processListeners();
  if (name === 'wasm') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-backend-wasm');
  }
  try {
    if (!(await tf.setBackend(name))) return undefined;
    await tf.ready();
  } finally {
    restoreListeners(before);
  }
  installConvGradients(tf, name);
  if (name === 'wasm') {
    installWasmMatMul(tf);
    installWasmMaxPoolGrad(tf);
  }
  return tf;
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

/** Whether tfjs-node can be loaded here, without switching this process to it. */
export function nativeAvailable(): boolean {
  try {
    require.resolve('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}
