/**
 * The training workloads measured per backend, each one step of its real training loop
 * on real MNIST digits: the tutorial's softmax regression (the MNIST sample's boot
 * file) and a CNN of the DigitClassifier layout (two branches of 3x3 convolutions and
 * pooling, then dense layers; 25,927,246 parameters).
 */
import type { LayersModel, Scalar, SymbolicTensor, Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../platform/compute/tf';
import { readTestDigits } from '../samples/mnist/dataset';

export interface Workload {
  name: string;
  batch: number;
  /** Builds the model and returns one training step on `batch` samples, and a way to list its variables (optimizer state included). */
  prepare(tf: Tf): { step: () => Promise<void>; variables: () => Variable[]; dispose: () => void };
}

const PIXELS = 784;

/** `count` real test digits as pixel/255 floats and one-hot labels. */
function digits(tf: Tf, count: number, shape: number[]): { x: Tensor; y: Tensor } {
  const set = readTestDigits(Array.from({ length: count }, (_, i) => i));
  const x = new Float32Array(count * PIXELS);
  set.forEach((d, i) => x.set(Float32Array.from(d.pixels, (v) => v / 255), i * PIXELS));
  return { x: tf.tensor(x, [count, ...shape]), y: tf.oneHot(tf.tensor1d(set.map((d) => d.label), 'int32'), 10).toFloat() };
}

/** As samples/mnist/code/train_mnist_tfjs.js: zeros, SGD 0.01 on the summed cross-entropy, batch 50. */
export const mnistSoftmax: Workload = {
  name: 'MNIST softmax (the tutorial boot file)',
  batch: 50,
  prepare(tf) {
    const { x, y } = digits(tf, 50, [PIXELS]);
    const W = tf.variable(tf.zeros([PIXELS, 10]));
    const b = tf.variable(tf.zeros([10]));
    const optimizer = tf.train.sgd(0.01);
    const step = async () => {
      const loss = tf.tidy(() => optimizer.minimize(() => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(tf.add(tf.matMul(x, W), b))))) as Scalar, true, [W, b]) as Scalar);
      await loss.data();
      loss.dispose();
    };
    return { step, variables: () => [W, b], dispose: () => tf.dispose([x, y, W, b]) };
  },
};

export const digitCnn: Workload = {
  name: 'CNN, DigitClassifier layout (Adam)',
  batch: 32,
  prepare(tf) {
    const model = digitClassifier(tf);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const { x, y } = digits(tf, 32, [28, 28, 1]);
    const step = async () => {
      await model.trainOnBatch(x, y);
    };
    // Every variable: the weights and the optimizer's (Adam's moments, where denormals could build up).
    const variables = () => Object.values(tf.engine().state.registeredVariables);
    return { step, variables, dispose: () => (model.dispose(), tf.dispose([x, y])) };
  },
};

/** Two 3x3 convolutions and a softmax: where the convolution gradients, not a big dense layer, take the time. */
export const smallCnn: Workload = {
  name: 'small CNN (2 convolutions, SGD)',
  batch: 64,
  prepare(tf) {
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    const { x, y } = digits(tf, 64, [28, 28, 1]);
    const step = async () => {
      await model.trainOnBatch(x, y);
    };
    return { step, variables: () => Object.values(tf.engine().state.registeredVariables), dispose: () => (model.dispose(), tf.dispose([x, y])) };
  },
};

export const WORKLOADS = [mnistSoftmax, smallCnn, digitCnn];

/** Workloads also run with tfjs' own convolution gradients, for comparison. */
export const WITH_BUILTIN_CONV_GRADIENTS = [smallCnn];

/** 28x28x1 → conv 32 → pool → two branches (conv 64 → pool → conv 256) → concat → 1000 → 500 → 10. */
export function digitClassifier(tf: Tf): LayersModel {
  const conv = (filters: number) => tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' });
  const pool = () => tf.layers.maxPooling2d({ poolSize: 2 });
  const input = tf.input({ shape: [28, 28, 1] });
  const trunk = pool().apply(conv(32).apply(input)) as SymbolicTensor;
  const branch = () => conv(256).apply(pool().apply(conv(64).apply(trunk))) as SymbolicTensor;
  const joined = tf.layers.concatenate().apply([branch(), branch()]) as SymbolicTensor;
  let h = tf.layers.flatten().apply(joined) as SymbolicTensor;
  h = tf.layers.dense({ units: 1000, activation: 'relu' }).apply(h) as SymbolicTensor;
  h = tf.layers.dense({ units: 500, activation: 'relu' }).apply(h) as SymbolicTensor;
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(h) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}
