import assert from 'node:assert/strict';
import type { Tensor, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../../compute/tf';
import { on, relativeError, useBothBackends } from './helpers/backends';

const TOLERANCE = 2e-5;

describe('wasm kernels replaced for speed or correctness', function () {
  this.timeout(30_000);
  const backends = useBothBackends();
  let tf: Tf;
  beforeEach(() => {
    tf = backends();
  });

  const products: [string, [number, number], [number, number], boolean, boolean][] = [
    ['x·W (no flags)', [50, 784], [784, 10], false, false],
    ['xᵀ·dy (a dense layer\'s dW)', [50, 784], [50, 10], true, false],
    ['dy·Wᵀ (a dense layer\'s dx)', [50, 10], [784, 10], false, true],
    ['aᵀ·bᵀ', [30, 7], [9, 30], true, true],
    ['dy·Wᵀ with a wide W', [8, 40], [600, 40], false, true],
  ];
  for (const [name, aShape, bShape, ta, tb] of products) {
    it(`matMul ${name} gives the cpu backend's product`, async () => {
      const f = (): Tensor[] => [tf.matMul(tf.randomNormal(aShape, 0, 1, 'float32', 1), tf.randomNormal(bShape, 0, 1, 'float32', 2), ta, tb)];
      const [expected] = await on(tf, 'cpu', f);
      const [actual] = await on(tf, 'wasm', f);
      assert.ok(relativeError(actual, expected) < TOLERANCE, `differs by ${relativeError(actual, expected)}`);
    });
  }

  const pools: [string, number[], number, number, 'valid' | 'same', (t: Tensor) => Tensor][] = [
    ['windows of negative values', [2, 6, 6, 3], 2, 2, 'valid', (t) => tf.neg(tf.abs(t))],
    ['relu outputs (windows of zeros)', [2, 8, 8, 4], 2, 2, 'valid', (t) => tf.relu(t)],
    ['odd sizes, rows left over', [3, 7, 5, 2], 2, 2, 'valid', (t) => t],
    ['"same" padding', [2, 7, 7, 2], 3, 3, 'same', (t) => t],
    ['overlapping windows', [2, 9, 9, 2], 3, 2, 'valid', (t) => tf.sub(t, 5)],
  ];
  for (const [name, shape, size, stride, pad, shape_] of pools) {
    it(`maxPool's gradient on ${name} goes where the cpu backend sends it`, async () => {
      const f = (): Tensor[] => {
        const x = shape_(tf.randomNormal(shape, 0, 1, 'float32', 3)) as Tensor4D;
        const loss = (t: Tensor) => {
          const y = tf.maxPool(t as Tensor4D, size, stride, pad);
          return tf.sum(tf.mul(y, tf.randomNormal(y.shape, 0, 1, 'float32', 4)));
        };
        return [tf.grad(loss)(x)];
      };
      const [expected] = await on(tf, 'cpu', f);
      const [actual] = await on(tf, 'wasm', f);
      assert.ok(relativeError(actual, expected) < TOLERANCE, `differs by ${relativeError(actual, expected)}`);
    });
  }
});
