/**
 * The workloads measured per backend, each one step of its real loop on real MNIST
 * digits: the tutorial's softmax regression (the MNIST sample's boot file), a small
 * CNN, a CNN of the DigitClassifier layout (two branches of 3x3 convolutions and
 * pooling, then dense layers; 25,927,246 parameters) training and predicting, and the
 * MLP sample's 784-30-10 network. Those with a `peer` also run in PyTorch
 * (bench/pytorch_peer.py, the same layout, optimizer and batch).
 */
import type { LayersModel, Scalar, SymbolicTensor, Tensor, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../compute/tf';
import { readTestDigits } from '../samples/mnist/dataset';

export interface Workload {
  name: string;
  batch: number;
  /** The same workload in bench/pytorch_peer.py. */
  peer?: string;
  /** Backends on which a step takes minutes: not run there. */
  skipOn?: string[];
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
  name: 'DigitClassifier training (Adam)',
  batch: 64,
  peer: 'digit-train',
  skipOn: ['cpu'],
  prepare(tf) {
    const model = digitClassifier(tf);
    model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const { x, y } = digits(tf, 64, [28, 28, 1]);
    const step = async () => {
      await model.trainOnBatch(x, y);
    };
    // Every variable: the weights and the optimizer's (Adam's moments, where denormals could build up).
    const variables = () => Object.values(tf.engine().state.registeredVariables);
    return { step, variables, dispose: () => (model.dispose(), tf.dispose([x, y])) };
  },
};

export const digitForward: Workload = {
  name: 'DigitClassifier forward (prediction)',
  batch: 64,
  peer: 'digit-forward',
  skipOn: ['cpu'],
  prepare(tf) {
    const model = digitClassifier(tf);
    const { x } = digits(tf, 64, [28, 28, 1]);
    const step = async () => {
      const classes = tf.tidy(() => tf.argMax(model.predict(x) as Tensor, 1));
      await classes.data();
      classes.dispose();
    };
    return { step, variables: () => model.weights.map((w) => w.read() as Variable), dispose: () => (model.dispose(), tf.dispose([x])) };
  },
};

/** As samples/mlp/code/train_mlp.js: 784-30-10 sigmoid, quadratic cost, SGD at 3.0, batch 10. */
export const mlp: Workload = {
  name: 'MLP 784-30-10 (sigmoid, SGD)',
  batch: 10,
  peer: 'mlp-train',
  prepare(tf) {
    const { x, y } = digits(tf, 10, [PIXELS]);
    const normal = (shape: number[], std: number, seed: number) => tf.variable(tf.randomNormal(shape, 0, std, 'float32', seed));
    const p = [normal([PIXELS, 30], 1 / 28, 1), normal([30], 1, 2), normal([30, 10], 1 / Math.sqrt(30), 3), normal([10], 1, 4)];
    const optimizer = tf.train.sgd(3.0);
    const forward = () => tf.sigmoid(tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, p[0]), p[1])), p[2]), p[3]));
    const step = async () => {
      const cost = tf.tidy(() => optimizer.minimize(() => tf.div(tf.sum(tf.square(tf.sub(forward(), y))), 20) as Scalar, true, p) as Scalar);
      cost.dispose();
    };
    return { step, variables: () => p, dispose: () => tf.dispose([x, y, ...p]) };
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

export const WORKLOADS = [mnistSoftmax, mlp, smallCnn, digitCnn, digitForward];

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
