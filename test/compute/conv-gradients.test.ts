import assert from 'node:assert/strict';
import type { Scalar, Tensor, Tensor4D, Variable } from '@tensorflow/tfjs';
import type { Tf } from '../../compute/tf';
import { withBuiltinConvGradients } from '../../compute/conv-kernels';
import type { Padding, Pair } from '../../compute/conv-gradients';
import { on, relativeError, useBothBackends } from './helpers/backends';

/** float32 sums in a different order differ by a few ulps of the largest term. */
const TOLERANCE = 2e-5;

interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: Pair;
  pad: Padding;
  dilations: Pair;
  format?: 'NHWC' | 'NCHW';
}

const CASES: Case[] = [
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 8], strides: 1, pad: 'same', dilations: 1 },
  { x: [3, 14, 14, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'valid', dilations: 1 },
  { x: [2, 9, 8, 3], filter: [3, 2, 3, 4], strides: 2, pad: 'same', dilations: 1 },
  { x: [2, 11, 10, 3], filter: [3, 3, 3, 5], strides: [2, 3], pad: 'valid', dilations: 1 },
  { x: [2, 8, 7, 2], filter: [5, 5, 2, 3], strides: 3, pad: 'same', dilations: 1 },
  { x: [2, 7, 9, 2], filter: [3, 3, 2, 3], strides: 2, pad: [[0, 0], [1, 2], [2, 0], [0, 0]], dilations: 1 },
  { x: [2, 9, 9, 2], filter: [3, 3, 2, 4], strides: 1, pad: 'same', dilations: 2 },
  { x: [1, 12, 11, 3], filter: [2, 3, 3, 2], strides: 1, pad: 'valid', dilations: [2, 3] },
  { x: [2, 3, 8, 8], filter: [3, 3, 3, 4], strides: 2, pad: 'same', dilations: 1, format: 'NCHW' },
];

function describeCase(c: Case): string {
  return `x ${c.x.join('x')}, filter ${c.filter.join('x')}, strides ${String(c.strides)}, pad ${JSON.stringify(c.pad)}, dilations ${String(c.dilations)}${c.format ? `, ${c.format}` : ''}`;
}

function pair(p: Pair): [number, number] {
  return typeof p === 'number' ? [p, p] : p;
}

/** Seeded inputs, and a loss whose gradient reaching the convolution is a fixed random dy. */
function problem(tf: Tf, c: Case) {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', 11) as Tensor4D;
  const filter = tf.randomNormal(c.filter, 0, 1, 'float32', 12) as Tensor4D;
  const lossAt = (dilations: Pair) => (xs: Tensor, w: Tensor) => {
    const y = tf.conv2d(xs as Tensor4D, w as Tensor4D, c.strides, c.pad, c.format ?? 'NHWC', dilations);
    return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 13)));
  };
  return { x, filter, loss: lossAt(c.dilations), undilatedLoss: lossAt(1) };
}

/** Our gradients of the convolution, on whichever backend is current. */
function ours(tf: Tf, c: Case): Tensor[] {
  const { x, filter, loss } = problem(tf, c);
  return tf.grads(loss)([x, filter]);
}

/**
 * tfjs' own gradients from the cpu backend's own kernels. They refuse dilations, so a
 * dilated case is computed as the same convolution with zeros between the filter taps,
 * whose filter gradient at the real taps is the one wanted.
 */
function reference(tf: Tf, c: Case): Tensor[] {
  return withBuiltinConvGradients(tf, () => {
    const { x, filter, loss, undilatedLoss } = problem(tf, c);
    const [dh, dw] = pair(c.dilations);
    if (dh === 1 && dw === 1) return tf.grads(loss)([x, filter]);
    const [kh, kw, cin, cout] = c.filter;
    const spread = tf.buffer([(kh - 1) * dh + 1, (kw - 1) * dw + 1, cin, cout]);
    const taps = filter.bufferSync();
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) for (let a = 0; a < cin; a++) for (let b = 0; b < cout; b++) spread.set(taps.get(i, j, a, b), i * dh, j * dw, a, b);
    const [gx, gSpread] = tf.grads(undilatedLoss)([x, spread.toTensor()]);
    const gFilter = tf.stridedSlice(gSpread, [0, 0, 0, 0], gSpread.shape, [dh, dw, 1, 1]);
    return [gx, gFilter];
  });
}

describe('convolution gradients on the fallback backends', function () {
  this.timeout(60_000);
  const backends = useBothBackends();
  let tf: Tf;
  beforeEach(() => {
    tf = backends();
  });

  for (const c of CASES) {
    it(`match the cpu backend's own kernels: ${describeCase(c)}`, async () => {
      const [refX, refW] = await on(tf, 'cpu', () => reference(tf, c));
      const backends = c.format === 'NCHW' ? ['cpu'] : ['cpu', 'wasm'];
      for (const backend of backends) {
        const [gx, gw] = await on(tf, backend, () => ours(tf, c));
        assert.ok(relativeError(gx, refX) < TOLERANCE, `${backend} dx differs by ${relativeError(gx, refX)}`);
        assert.ok(relativeError(gw, refW) < TOLERANCE, `${backend} dfilter differs by ${relativeError(gw, refW)}`);
      }
    });
  }

  it('give conv2dTranspose (which runs the input-gradient kernel) the cpu kernels\' result', async () => {
    const f = (): Tensor[] => {
      const x = tf.randomNormal([2, 5, 6, 4], 0, 1, 'float32', 31) as Tensor4D;
      const filter = tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 32) as Tensor4D;
      return [tf.conv2dTranspose(x, filter, [2, 10, 12, 2], 2, 'same'), tf.conv2dTranspose(x, filter, [2, 11, 13, 2], 2, 'valid')];
    };
    const expected = await on(tf, 'cpu', () => withBuiltinConvGradients(tf, f));
    for (const backend of ['cpu', 'wasm']) {
      const actual = await on(tf, backend, f);
      actual.forEach((a, i) => assert.ok(relativeError(a, expected[i]) < TOLERANCE, `${backend} output ${i} differs by ${relativeError(a, expected[i])}`));
    }
  });

  it('train a layers CNN (fused and unfused convolutions, pooling, dense) on wasm as the cpu kernels do', async () => {
    const build = () => {
      const input = tf.input({ shape: [12, 12, 1] });
      const a = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
      const b = tf.layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(a);
      const pooled = tf.layers.maxPooling2d({ poolSize: 2 }).apply(b);
      const flat = tf.layers.flatten().apply(pooled);
      const out = tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }).apply(flat);
      return tf.model({ inputs: input, outputs: out as never });
    };
    const step = () => {
      const model = build();
      const x = tf.randomUniform([5, 12, 12, 1], 0, 1, 'float32', 21);
      const y = tf.oneHot(tf.tensor1d([0, 1, 2, 1, 0], 'int32'), 3);
      const weights = model.trainableWeights.map((w) => w.read() as Variable);
      const { grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as Tensor) as Scalar, weights);
      const values = weights.map((w) => grads[w.name]);
      model.dispose();
      return values;
    };
    const expected = await on(tf, 'cpu', () => withBuiltinConvGradients(tf, step));
    const actual = await on(tf, 'wasm', step);
    assert.equal(actual.length, expected.length);
    actual.forEach((g, i) => assert.ok(relativeError(g, expected[i]) < TOLERANCE, `gradient ${i} differs by ${relativeError(g, expected[i])}`));
  });
});
