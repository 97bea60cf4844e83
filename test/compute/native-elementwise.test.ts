import assert from 'node:assert/strict';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import type { Tf } from '../../compute/tf';
import { on, relativeError } from './helpers/backends';
import { agree, ranNatively, seeded, useNativeBackend } from './helpers/native';

/** Elementwise kernels compute each value as the cpu kernels do (float32 rounding of the same operations). */
const ELEMENTWISE_TOLERANCE = 1e-6;
/** Sums over thousands of values, in another order. */
const SUM_TOLERANCE = 1e-5;

describe('native kernels agree with the cpu kernels: elementwise, reductions, Adam', function () {
  this.timeout(120_000);
  const native = useNativeBackend();
  let tf: Tf;
  beforeEach(() => {
    tf = native();
  });
  const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', 1000 + seed);

  it('add, sub, mul and div with each broadcast the addon takes (same shape, scalar, row, column)', async () => {
    const pairs: [number[], number[]][] = [
      [[64, 9, 9, 8], [64, 9, 9, 8]],
      [[64, 9, 9, 8], [8]],
      [[8], [64, 9, 9, 8]],
      [[64, 9, 9, 8], [1, 1, 9, 8]],
      [[64, 9, 9, 8], []],
      [[3, 4096], [3, 1]],
      [[1], [70, 70]],
      [[50, 10], [50, 1]],
      [[1, 1], [5, 3]],
    ];
    for (const [a, b] of pairs) {
      const f = () => {
        const [x, y] = [normal(a, 1), tf.randomUniform(b, 0.5, 1.5, 'float32', 2)];
        return [tf.add(x, y), tf.sub(x, y), tf.mul(x, y), tf.div(x, y), tf.div(y, x)];
      };
      await ranNatively(['Add', 'Sub', 'Multiply', 'RealDiv'], () => agree(tf, f, ELEMENTWISE_TOLERANCE, `${a} with ${b}`));
    }
  });

  it('leaves other broadcasts to the cpu kernels, with the same results', async () => {
    const f = () => [tf.add(normal([30, 1, 200], 1), normal([1, 40, 200], 2)), tf.mul(normal([7, 1, 900], 3), normal([7, 5, 1], 4))];
    await agree(tf, f, ELEMENTWISE_TOLERANCE);
  });

  it('relu, relu6, sigmoid, elu, leakyRelu, sqrt, square, tanh, exp, log, neg and abs, NaN and infinities included', async () => {
    const f = () => {
      const x = tf.concat([tf.mul(normal([20000], 1), 8), tf.tensor1d([NaN, Infinity, -Infinity, 0, -0, 6, 7])]);
      const activations = [tf.relu(x), tf.relu6(x), tf.sigmoid(x), tf.elu(x), tf.leakyRelu(x, 0.3), tf.tanh(x), tf.neg(x), tf.abs(x)];
      return [...activations, tf.sqrt(x), tf.square(x), tf.exp(tf.div(x, 4)), tf.log(x)];
    };
    const kernels = ['Relu', 'Relu6', 'Sigmoid', 'Elu', 'LeakyRelu', 'Tanh', 'Neg', 'Abs', 'Sqrt', 'Square', 'Exp', 'Log'];
    await ranNatively(kernels, () => agree(tf, f, ELEMENTWISE_TOLERANCE));
  });

  it("relu's and sigmoid's gradients", async () => {
    const through = (activation: (x: Tensor) => Tensor) => tf.grad((x: Tensor) => tf.sum(tf.mul(activation(x), normal([50, 300], 2))))(tf.mul(normal([50, 300], 1), 3));
    const f = () => [through(tf.relu), through(tf.sigmoid)];
    await ranNatively(['NativeReluGrad', 'NativeSigmoidGrad'], () => agree(tf, f, ELEMENTWISE_TOLERANCE));
  });

  it('sum over leading axes (a bias gradient) and trailing axes, keepDims or not, on 12 random shapes', async () => {
    const r = seeded(5);
    for (let i = 0; i < 12; i++) {
      const shape = [r.int(1, 40), r.int(1, 30), r.int(2, 30), r.int(1, 20)];
      const k = r.int(1, 3);
      const axes = i % 2 ? [...Array(k).keys()] : [...Array(k).keys()].map((a) => 4 - k + a);
      const f = () => [tf.sum(normal(shape, i), axes, i % 3 === 0)];
      await ranNatively(['Sum'], () => agree(tf, f, SUM_TOLERANCE, `${shape} over ${axes}`));
    }
  });

  it('softmax over the last axis, bit for bit as the cpu kernel, large, tied and infinite logits included', async () => {
    const r = seeded(6);
    for (let i = 0; i < 8; i++) {
      const shape = [r.int(1, 40), r.int(1, 12), r.int(1, 30)].slice(i % 3);
      const f = () => [tf.softmax(tf.mul(normal(shape, i), 10 * i))];
      await ranNatively(['Softmax'], () => agree(tf, f, 0, `${shape}`));
    }
    const edges = () => [tf.softmax(tf.tensor2d([[1, 1, 1], [88, 89, 90], [-Infinity, 0, 1], [1e30, -1e30, 0]]))];
    await ranNatively(['Softmax'], () => agree(tf, edges, 0, 'edges'));
  });

  it('split (the gradient of concatenate) along every axis', async () => {
    for (const axis of [0, 1, 2, 3]) {
      const length = [6, 7, 8, 9][axis];
      const f = () => tf.split(normal([6, 7, 8, 9], axis), [1, length - 3, 2], axis);
      await ranNatively(['SplitV'], () => agree(tf, f, 0, `axis ${axis}`));
    }
  });

  it('concatenate along every axis, of two and of three tensors', async () => {
    for (const axis of [0, 1, 2, 3]) {
      const shape = (n: number) => [5, 6, 7, 8].map((d, i) => (i === axis ? n : d));
      const f = () => [tf.concat([normal(shape(2), 1), normal(shape(3), 2)], axis), tf.concat([normal(shape(1), 3), normal(shape(4), 4), normal(shape(2), 5)], axis)];
      await ranNatively(['Concat'], () => agree(tf, f, 0, `axis ${axis}`));
    }
  });

  it("trains a model with Adam to the cpu backend's weights (the update in one pass, in place)", async () => {
    const f = (): Tensor[] => {
      const model = tf.sequential({
        layers: [
          tf.layers.dense({ inputShape: [30], units: 20, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
          tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
        ],
      });
      const optimizer = tf.train.adam(0.01);
      const x = normal([16, 30], 3);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 3, 2, 1, 0, 0, 1, 2, 3, 3, 2, 1, 0], 'int32'), 4);
      for (let step = 0; step < 5; step++) {
        optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as Tensor) as Scalar);
      }
      const state = [...model.getWeights().map((w) => tf.clone(w))];
      model.dispose();
      optimizer.dispose();
      return state;
    };
    await ranNatively(['Adam'], () => agree(tf, f, SUM_TOLERANCE));
  });

  it("trains the MLP sample's network with SGD to the cpu backend's weights", async () => {
    const f = (): Tensor[] => {
      const p = [tf.variable(normal([784, 30], 1)), tf.variable(normal([30], 2)), tf.variable(normal([30, 10], 3)), tf.variable(normal([10], 4))];
      const optimizer = tf.train.sgd(3.0);
      const x = tf.randomUniform([10, 784], 0, 1, 'float32', 5);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 'int32'), 10).toFloat();
      const forward = () => tf.sigmoid(tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(x, p[0]), p[1])), p[2]), p[3]));
      for (let step = 0; step < 5; step++) optimizer.minimize(() => tf.div(tf.sum(tf.square(tf.sub(forward(), y))), 20) as Scalar, false, p);
      return p.map((v) => tf.clone(v));
    };
    await ranNatively(['SGD'], () => agree(tf, f, SUM_TOLERANCE));
  });

  it("keeps a tensor that shares a variable's memory unchanged when Adam updates the variable", async () => {
    const [before, shared, after] = await on(tf, 'native', () => {
      const initial = tf.ones([100]);
      const v = tf.variable(initial);
      tf.train.adam(0.1).applyGradients({ [v.name]: tf.onesLike(v) });
      return [tf.ones([100]), initial, v.clone()];
    });
    assert.equal(relativeError(shared, before), 0);
    assert.ok(after[0] < 0.95, `the variable moved to ${after[0]}`);
  });
});
