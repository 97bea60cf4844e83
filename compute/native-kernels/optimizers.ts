/**
 * Optimizer updates in one pass per variable on the native backend, in place.
 *
 * Adam: tfjs' AdamOptimizer
 * runs about ten whole-array operations per variable per step, each allocating an array
 * the size of the variable: for the DigitClassifier's 26 million parameters, more time
 * than the rest of the step. Here the same formula runs in the addon, writing the value
 * and both moments in place when nothing else shares their memory (else into new arrays,
 * assigned as tfjs assigns). The optimizer's state (moments, accBeta1/2, iterations)
 * stays where tfjs keeps it, so getWeights/setWeights and checkpoints are unchanged.
 *
 * SGD: value + (-learningRate) * gradient, as tfjs computes it, without its two
 * operations (and their arrays) per variable: for small networks trained in small
 * batches (the MLP sample), the per-operation cost of tfjs is most of a step.
 */
import type { NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Tf } from '../tf-module';
import { floats, type NativeContext } from './kernel';

type Gradients = NamedTensorMap | { name: string; tensor: Tensor }[];

/** The parts of AdamOptimizer that tfjs declares protected. */
interface AdamState {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
  incrementIterations(): void;
}

interface SgdState {
  learningRate: number;
  incrementIterations(): void;
}

let installed = false;

/** Replaces Adam's and SGD's update on `backendName` (other backends keep tfjs' own). */
export function installNativeOptimizers(tf: Tf, ctx: NativeContext, backendName: string): void {
  if (installed) return;
  installed = true;
  patch(tf, tf.AdamOptimizer.prototype, backendName, (optimizer, gradients) => applyAdam(tf, ctx, optimizer as unknown as AdamState, gradients));
  patch(tf, tf.SGDOptimizer.prototype, backendName, (optimizer, gradients) => applySgd(tf, ctx, optimizer as unknown as SgdState, gradients));
}

function patch(tf: Tf, prototype: object, backendName: string, native: (optimizer: object, gradients: Gradients) => void): void {
  const proto = prototype as { applyGradients(g: Gradients): void };
  const builtin = proto.applyGradients;
  proto.applyGradients = function (this: object, gradients: Gradients) {
    if (tf.getBackend() !== backendName) return builtin.call(this, gradients);
    native(this, gradients);
  };
}

function entries(gradients: Gradients): [string, Tensor | undefined][] {
  return Array.isArray(gradients) ? gradients.map((g) => [g.name, g.tensor]) : Object.entries(gradients);
}

function counted(ctx: NativeContext, name: string): { native: number; fallback: number } {
  const count = ctx.counts.get(name) ?? { native: 0, fallback: 0 };
  ctx.counts.set(name, count);
  return count;
}

/** Below this many values a JavaScript loop costs less than a call into the addon. */
const SGD_NATIVE_FROM = 4096;

function applySgd(tf: Tf, ctx: NativeContext, sgd: SgdState, gradients: Gradients): void {
  const backend = tf.backend() as MathBackendCPU;
  const step = Math.fround(-sgd.learningRate);
  const count = counted(ctx, 'SGD');
  for (const [name, gradient] of entries(gradients)) {
    if (!gradient) continue;
    const variable = tf.engine().registeredVariables[name];
    const g = floats(backend, gradient);
    const value = writable(tf, backend, variable);
    if (!g || !value) throw new Error(`SGD on the native backend updates float32 variables; ${name} is ${variable.dtype}`);
    ctx.beforeKernel();
    if (value.length >= SGD_NATIVE_FROM) ctx.addon.axpy(step, g, value);
    else for (let i = 0; i < value.length; i++) value[i] += Math.fround(step * g[i]);
    count.native++;
  }
  sgd.incrementIterations();
}

function applyAdam(tf: Tf, ctx: NativeContext, adam: AdamState, gradients: Gradients): void {
  const backend = tf.backend() as MathBackendCPU;
  const accBeta1 = adam.accBeta1.dataSync()[0];
  const accBeta2 = adam.accBeta2.dataSync()[0];
  const count = counted(ctx, 'Adam');
  entries(gradients).forEach(([name, gradient], i) => {
    const value = tf.engine().registeredVariables[name];
    adam.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    adam.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    if (!gradient) return;
    const m = adam.accumulatedFirstMoment[i].variable;
    const v = adam.accumulatedSecondMoment[i].variable;
    const g = floats(backend, gradient);
    const arrays = [value, m, v].map((t) => writable(tf, backend, t));
    if (!g || arrays.some((a) => !a)) {
      throw new Error(`Adam on the native backend updates float32 variables; ${name} is ${value.dtype}`);
    }
    const [val, mom1, mom2] = arrays as Float32Array[];
    ctx.beforeKernel();
    ctx.addon.adam(val, g, mom1, mom2, adam.learningRate, adam.beta1, adam.beta2, adam.epsilon, accBeta1, accBeta2);
    count.native++;
  });
  tf.tidy(() => {
    adam.accBeta1.assign(tf.mul(adam.accBeta1, adam.beta1));
    adam.accBeta2.assign(tf.mul(adam.accBeta2, adam.beta2));
  });
  adam.incrementIterations();
}

/**
 * The variable's values to update in place: its own array where no other tensor shares
 * it, else a copy that the variable takes over (the sharer keeps the old values).
 */
function writable(tf: Tf, backend: MathBackendCPU, variable: Variable): Float32Array | undefined {
  const values = floats(backend, variable);
  if (!values) return undefined;
  if (backend.refCount(variable.dataId) === 1) return values;
  const copy = new Float32Array(values);
  tf.tidy(() => variable.assign(tf.tensor(copy, variable.shape, 'float32')));
  return floats(backend, variable);
}
