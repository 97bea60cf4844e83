/**
 * Adam's update in one pass per variable on the native backend. tfjs' AdamOptimizer
 * runs about ten whole-array operations per variable per step, each allocating an array
 * the size of the variable: for the DigitClassifier's 26 million parameters, more time
 * than the rest of the step. Here the same formula runs in the addon, writing the value
 * and both moments in place when nothing else shares their memory (else into new arrays,
 * assigned as tfjs assigns). The optimizer's state (moments, accBeta1/2, iterations)
 * stays where tfjs keeps it, so getWeights/setWeights and checkpoints are unchanged.
 */
import type { AdamOptimizer, NamedTensorMap, Tensor, Variable } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import type { Tf } from '../tf';
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

let installed = false;

export function installNativeAdam(tf: Tf, ctx: NativeContext, backendName: string): void {
  if (installed) return;
  installed = true;
  const proto = tf.AdamOptimizer.prototype as unknown as { applyGradients(g: Gradients): void };
  const builtin = proto.applyGradients;
  proto.applyGradients = function (this: AdamOptimizer, gradients: Gradients) {
    if (tf.getBackend() !== backendName) return builtin.call(this, gradients);
    applyNative(tf, ctx, this as unknown as AdamState, gradients);
  };
}

function applyNative(tf: Tf, ctx: NativeContext, adam: AdamState, gradients: Gradients): void {
  const names = Array.isArray(gradients) ? gradients.map((g) => g.name) : Object.keys(gradients);
  const backend = tf.backend() as MathBackendCPU;
  const accBeta1 = adam.accBeta1.dataSync()[0];
  const accBeta2 = adam.accBeta2.dataSync()[0];
  const count = ctx.counts.get('Adam') ?? { native: 0, fallback: 0 };
  ctx.counts.set('Adam', count);
  names.forEach((name, i) => {
    const value = tf.engine().registeredVariables[name];
    adam.accumulatedFirstMoment[i] ??= { originalName: `${name}/m`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    adam.accumulatedSecondMoment[i] ??= { originalName: `${name}/v`, variable: tf.tidy(() => tf.zerosLike(value).variable(false)) };
    const gradient = Array.isArray(gradients) ? gradients[i].tensor : gradients[name];
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
