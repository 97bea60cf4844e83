import assert from 'node:assert/strict';
import type { Scalar, Tensor } from '@tensorflow/tfjs';
import { compute, type Tf } from '../../compute/tf';
import { keepSavedTensorsWithoutKernels } from '../../compute/saved-tensors';

/** `fn` with tfjs' own saved tensors (clones through the Identity kernel), then the shortcut back. */
async function withTfjsWay<T>(tf: Tf, fn: () => T | Promise<T>): Promise<T> {
  keepSavedTensorsWithoutKernels(tf)();
  try {
    return await fn();
  } finally {
    keepSavedTensorsWithoutKernels(tf);
  }
}

/** One SGD step's gradients of a small sigmoid MLP (784-30-10 shaped down), and the kernels it ran; disposes all it made. */
async function mlpGradients(tf: Tf): Promise<{ grads: number[][]; kernels: string[] }> {
  const x = tf.randomUniform([10, 20], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 0, 1, 2, 3, 4], 'int32'), 5).toFloat());
  const w1 = tf.tidy(() => tf.variable(tf.randomNormal([20, 8], 0, 0.3, 'float32', 2)));
  const w2 = tf.tidy(() => tf.variable(tf.randomNormal([8, 5], 0, 0.3, 'float32', 3)));
  const loss = () => tf.div(tf.sum(tf.square(tf.sub(tf.sigmoid(tf.matMul(tf.sigmoid(tf.matMul(x, w1)), w2)), y))), 20) as Scalar;
  let made: Tensor[] = [];
  const profile = await tf.profile(() => {
    const { value, grads } = tf.variableGrads(loss, [w1, w2]);
    made = [value, ...Object.values(grads)];
  });
  const values = made.slice(1).map((g) => Array.from(g.dataSync()));
  tf.dispose([x, y, w1, w2, ...made]);
  return { grads: values, kernels: profile.kernels.map((k) => k.name) };
}

describe('tensors saved for the backward pass: kept without a kernel call or a tape node', function () {
  this.timeout(60_000);
  let tf: Tf;
  before(async () => {
    ({ tf } = await compute());
  });

  it('gives the gradients tfjs\' own clones give, exactly, without the Identity kernels', async () => {
    const shortcut = await mlpGradients(tf);
    const tfjs = await withTfjsWay(tf, () => mlpGradients(tf));
    assert.deepEqual(shortcut.grads, tfjs.grads);
    assert.ok(tfjs.kernels.includes('Identity'), 'tfjs clones saved tensors with Identity');
    assert.ok(!shortcut.kernels.includes('Identity'), shortcut.kernels.join(' '));
    assert.ok(shortcut.kernels.length < tfjs.kernels.length);
  });

  it('leaves no tensor behind after a training step', async () => {
    const before = tf.memory().numTensors;
    await mlpGradients(tf);
    assert.equal(tf.memory().numTensors, before);
  });

  it('leaves second-order gradients (tfjs\' own way under nested gradients) as tfjs computes them', async () => {
    const x = tf.tensor1d([2, -1, 0.5]);
    const cases = [(v: Tensor) => tf.pow(v, 3), (v: Tensor) => tf.sqrt(tf.add(v, 2)), (v: Tensor) => tf.mul(v, tf.exp(v))];
    const second = () => cases.map((f) => Array.from(tf.grad(tf.grad(f))(x).dataSync()));
    const got = second();
    assert.deepEqual(got, await withTfjsWay(tf, second));
    assert.deepEqual(got[0], [12, -6, 3]);
    tf.dispose(x);
  });
});
