/**
 * Child-process entry: the figures of one backend (env MA_PROBE_BACKEND), which needs a
 * process of its own since tfjs computes on one backend per process. Reports the
 * matmul rate, the cost of denormal floats, and each workload's samples/s; with
 * MA_PROBE_ONLY (the PyTorch peer's names of workloads, comma-separated) only those
 * workloads' samples/s.
 */
import { performance } from 'node:perf_hooks';
import type { Tensor } from '@tensorflow/tfjs';
import { compute, type BackendName, type Tf } from '../compute/tf';
import { exitWithParent, sendFatal, sendReady } from '../kernel/process/child-side';
import { useBuiltinConvGradients } from '../compute/conv-kernels';
import { WITH_BUILTIN_CONV_GRADIENTS, WORKLOADS, type Workload } from './workloads';
import { SGEMM_N } from './pytorch-peer';

/** Each timed figure runs at least this long, after a warm-up. */
const MIN_MS = 3000;
/** A step slower than this is measured once, cold: warming it up would double the bench. */
const SLOW_STEP_MS = 5000;
const SMALLEST_NORMAL = 1.1754944e-38;

export interface WorkloadFigures {
  name: string;
  /** The same workload's name in the PyTorch peer. */
  peer?: string;
  /** Why it could not run (a kernel the backend lacks …). */
  error?: string;
  batch: number;
  samples_per_s: number;
  steps_timed: number;
  /** Variables' values below the smallest normal float after the run: wasm slows down badly on them. */
  denormal_values: number;
}

export interface ProbeFigures {
  backend: BackendName;
  /** What computes, as /health says it. */
  description: string;
  /** Not measured when only some workloads were asked for. */
  matmul_gflops?: number;
  /** A 2048x2048 product on the native backend: the addon's sgemm, the machine's ceiling beside PyTorch's. */
  sgemm_gflops?: number;
  /** 50x784 · 784x10 with weights ~1e-39, as a multiple of the same with normal weights. */
  denormal_matmul_slowdown?: number;
  workloads: WorkloadFigures[];
}

/** Runs a product and reads it back (outside tidy: tidy would walk a returned array element by element). */
function readProduct(tf: Tf, a: Tensor, b: Tensor): void {
  const product = tf.matMul(a, b);
  product.dataSync();
  product.dispose();
}

function timeRepeated(fn: () => void): number {
  fn();
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < MIN_MS) {
    fn();
    n++;
  }
  return (performance.now() - start) / n;
}

function matmulGflops(tf: Tf, n = 512): number {
  const [a, b] = [tf.randomNormal([n, n]), tf.randomNormal([n, n])];
  const ms = timeRepeated(() => readProduct(tf, a, b));
  tf.dispose([a, b]);
  return (2 * n ** 3) / ms / 1e6;
}

function denormalSlowdown(tf: Tf): number {
  const x = tf.randomUniform([50, 784]);
  const w = tf.randomNormal([784, 10]);
  const tiny = tf.mul(w, 1e-39);
  const run = (weights: Tensor) => timeRepeated(() => readProduct(tf, x, weights));
  const slowdown = run(tiny) / run(w);
  tf.dispose([x, w, tiny]);
  return slowdown;
}

async function trainingRate(tf: Tf, workload: Workload): Promise<WorkloadFigures> {
  try {
    return { ...(await measure(tf, workload)), peer: workload.peer };
  } catch (err) {
    return { name: workload.name, peer: workload.peer, batch: workload.batch, samples_per_s: 0, steps_timed: 0, denormal_values: 0, error: (err as Error).message.split('\n')[0] };
  }
}

async function measure(tf: Tf, workload: Workload): Promise<WorkloadFigures> {
  const { step, variables, dispose } = workload.prepare(tf);
  let start = performance.now();
  await step();
  let steps = 1;
  if (performance.now() - start < SLOW_STEP_MS) {
    start = performance.now();
    steps = 0;
    while (performance.now() - start < MIN_MS) {
      await step();
      steps++;
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const denormals = variables().reduce((n, v) => n + countDenormals(v.dataSync() as Float32Array), 0);
  dispose();
  return { name: workload.name, batch: workload.batch, samples_per_s: (steps * workload.batch) / seconds, steps_timed: steps, denormal_values: denormals };
}

function countDenormals(values: Float32Array): number {
  let n = 0;
  for (const v of values) if (v !== 0 && Math.abs(v) < SMALLEST_NORMAL) n++;
  return n;
}

async function main(): Promise<void> {
  exitWithParent();
  const { tf, backend, description } = await compute({ backend: process.env.MA_PROBE_BACKEND as BackendName });
  const only = process.env.MA_PROBE_ONLY?.split(',');
  const figures: ProbeFigures = { backend, description, workloads: [] };
  if (!only) {
    figures.matmul_gflops = matmulGflops(tf);
    if (backend === 'native') figures.sgemm_gflops = matmulGflops(tf, SGEMM_N);
    figures.denormal_matmul_slowdown = denormalSlowdown(tf);
  }
  for (const workload of WORKLOADS) {
    if (only && !(workload.peer && only.includes(workload.peer))) continue;
    if (workload.skipOn?.includes(backend)) {
      figures.workloads.push({ name: workload.name, peer: workload.peer, batch: workload.batch, samples_per_s: 0, steps_timed: 0, denormal_values: 0, error: 'not run: a step takes minutes here' });
      continue;
    }
    figures.workloads.push(await trainingRate(tf, workload));
  }
  if (only) return sendReady(figures);
  for (const workload of WITH_BUILTIN_CONV_GRADIENTS) {
    const builtin = { ...workload, name: `${workload.name}, tfjs' own conv gradients` };
    const restore = useBuiltinConvGradients(tf);
    figures.workloads.push(await trainingRate(tf, builtin));
    restore();
  }
  sendReady(figures);
}

main().catch(sendFatal);
