import assert from 'node:assert/strict';
import type { Tensor, Tensor3D, Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from '../../compute/tf';
import { withBuiltinConvGradients } from '../../compute/conv-kernels';
import { on, relativeError } from './helpers/backends';
import { agree, ranNatively, seeded, useNativeBackend } from './helpers/native';

/**
 * Products and convolutions sum in another order (blocked, vectorised) than the cpu
 * kernels' loops: they agree to within this fraction of the output's largest value.
 * Measured differences are 1e-7 to 2e-6.
 */
const SUM_TOLERANCE = 1e-5;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

describe('native kernels agree with the cpu kernels: products, convolutions, pooling', function () {
  this.timeout(120_000);
  const native = useNativeBackend();
  let tf: Tf;
  beforeEach(() => {
    tf = native();
  });
  // Seeded, never with 0 (tfjs takes a seed of 0 as none): the same values on both backends.
  const normal = (shape: number[], seed: number) => tf.randomNormal(shape, 0, 1, 'float32', 1000 + seed);

  it('matMul, every transpose, on 24 random shapes (sizes 1 to 70)', async () => {
    const r = seeded(1);
    for (let i = 0; i < 24; i++) {
      const [m, k, n] = [r.int(1, 70), r.int(1, 70), r.int(1, 70)];
      const [ta, tb] = [i % 2 === 1, i % 4 >= 2];
      const f = () => [tf.matMul(normal(ta ? [k, m] : [m, k], i), normal(tb ? [n, k] : [k, n], i + 100), ta, tb)];
      await ranNatively(['BatchMatMul'], () => agree(tf, f, SUM_TOLERANCE, `${m}x${k}x${n} ${ta} ${tb}`));
    }
  });

  it('batched matMul, with a batch of one broadcast against the other side, and single rows', async () => {
    const cases: [number[], number[], boolean, boolean][] = [
      [[3, 5, 7], [3, 7, 4], false, false],
      [[1, 5, 7], [6, 7, 4], false, false],
      [[6, 7, 5], [1, 4, 7], true, true],
      [[2, 3, 4, 5], [2, 3, 5, 2], false, false],
      [[4, 9], [4, 9, 3], false, false],
      // One row (a prediction of one sample) goes to the matrix-vector product.
      [[1, 300], [300, 7], false, false],
      [[300, 1], [300, 7], true, false],
      [[1, 300], [7, 300], false, true],
      [[300, 1], [7, 300], true, true],
      [[3, 1, 40], [3, 40, 9], false, false],
    ];
    for (const [a, b, ta, tb] of cases) {
      await ranNatively(['BatchMatMul'], () => agree(tf, () => [tf.matMul(normal(a, 1) as Tensor3D, normal(b, 2) as Tensor3D, ta, tb)], SUM_TOLERANCE, `${a} · ${b}`));
    }
  });

  it('fused matMul with each bias shape and activation', async () => {
    const activations = ['linear', 'relu', 'relu6', 'sigmoid', 'elu', 'leakyrelu', 'prelu'] as const;
    // One value per column or one value in all: added in the addon; others by the cpu kernel.
    const biases = [[9], [1], [1, 9], [5, 9], [5, 1]];
    const nativeBias = (bias: number[]) => bias.length === 1 || bias[0] === 1;
    for (const activation of activations) {
      for (const bias of biases) {
        const f = () => [
          tf.fused.matMul({
            a: normal([5, 12], 1), b: normal([12, 9], 2), bias: normal(bias, 3), activation,
            preluActivationWeights: activation === 'prelu' ? normal([9], 4) : undefined, leakyreluAlpha: 0.3,
          }),
        ];
        const native = activation !== 'prelu' && nativeBias(bias) ? ['_FusedMatMul'] : [];
        await ranNatively(native, () => agree(tf, f, SUM_TOLERANCE, `${activation}, bias ${bias}`));
      }
    }
  });

  it('conv2d (and its fused form) on 24 random shapes: strides, dilations, padding modes, batch 1, odd sizes', async () => {
    const r = seeded(2);
    for (let i = 0; i < 24; i++) {
      const c = randomConv(r, i);
      const activation = r.pick(['relu', 'linear', 'elu', 'relu6'] as const);
      const f = (): Tensor[] => {
        const x = normal(c.x, i) as Tensor4D;
        const w = normal(c.filter, i + 1) as Tensor4D;
        const b = normal([c.filter[3]], i + 2);
        const plain = tf.conv2d(x, w, c.strides, c.pad, 'NHWC', c.dilations);
        const fused = tf.fused.conv2d({ x, filter: w, strides: c.strides, pad: c.pad, dilations: c.dilations, bias: b, activation });
        return [plain, fused];
      };
      await ranNatively(['Conv2D', 'FusedConv2D'], () => agree(tf, f, SUM_TOLERANCE, JSON.stringify(c)));
    }
  });

  it('conv2d on NCHW input', async () => {
    const f = () => [tf.conv2d(normal([2, 3, 9, 8], 1) as Tensor4D, normal([3, 3, 3, 5], 2) as Tensor4D, 2, 'same', 'NCHW')];
    await ranNatively(['Conv2D'], () => agree(tf, f, SUM_TOLERANCE));
  });

  it('both convolution gradients on 24 random shapes, against the cpu backend\'s own backprop kernels', async () => {
    const r = seeded(3);
    for (let i = 0; i < 24; i++) {
      // tfjs' own kernels take no dilations; dilated gradients are compared below.
      const c = { ...randomConv(r, i), dilations: 1 as const };
      const f = (): Tensor[] => {
        const x = normal(c.x, i) as Tensor4D;
        const w = normal(c.filter, i + 1) as Tensor4D;
        const y = tf.conv2d(x, w, c.strides, c.pad);
        const dy = normal(y.shape, i + 2) as Tensor4D;
        return [tf.conv2dTranspose(dy, w, c.x, c.strides, c.pad), convFilterGradient(tf, x, dy, c.filter, c.strides, c.pad)];
      };
      await ranNatively(['Conv2DBackpropInput', 'Conv2DBackpropFilter'], () => agreeWithBuiltins(f, JSON.stringify(c)));
    }
  });

  it('dilated convolutions train as on the cpu backend (gradients through tf.grads)', async () => {
    const cases: { x: [number, number, number, number]; filter: [number, number, number, number]; pad: Pad; dilations: [number, number] }[] = [
      { x: [2, 9, 9, 2], filter: [3, 3, 2, 4], pad: 'same', dilations: [2, 2] },
      { x: [1, 12, 11, 3], filter: [2, 3, 3, 2], pad: 'valid', dilations: [2, 3] },
    ];
    for (const c of cases) {
      const f = () => {
        const loss = (x: Tensor, w: Tensor) => tf.sum(tf.mul(tf.conv2d(x as Tensor4D, w as Tensor4D, 1, c.pad, 'NHWC', c.dilations), 0.5));
        return tf.grads(loss)([normal(c.x, 1), normal(c.filter, 2)]);
      };
      await ranNatively(['Conv2DBackpropInput', 'Conv2DBackpropFilter'], () => agree(tf, f, SUM_TOLERANCE, JSON.stringify(c)));
    }
  });

  it('maxPool and its gradient on 24 random shapes, ties and negative values included (the maxima exactly)', async () => {
    const r = seeded(4);
    for (let i = 0; i < 24; i++) {
      const shape = [r.pick([1, 2, 3]), r.int(2, 13), r.int(2, 13), r.int(1, 9)];
      const size = r.int(1, 3);
      const stride = r.int(1, 3);
      const pad = r.pick(['same', 'valid'] as const);
      if (pad === 'valid' && (shape[1] < size || shape[2] < size)) continue;
      const f = (): Tensor[] => {
        // Rounded values make ties: the first maximum in window order takes the gradient.
        const x = tf.round(tf.mul(normal(shape, i), 2)) as Tensor4D;
        const loss = (t: Tensor) => {
          const y = tf.maxPool(t as Tensor4D, size, stride, pad);
          return tf.sum(tf.mul(y, normal(y.shape, i + 1)));
        };
        return [tf.maxPool(x, size, stride, pad), tf.grad(loss)(x)];
      };
      // Overlapping windows add several dy into one dx value, in another order.
      await ranNatively(['MaxPool', 'MaxPoolGrad'], () => agree(tf, f, 1e-6, `${shape} pool ${size} stride ${stride} ${pad}`));
    }
  });

  /** The outputs of `f` on native against the cpu backend with tfjs' own convolution kernels. */
  async function agreeWithBuiltins(f: () => Tensor[], label: string): Promise<void> {
    const expected = await on(tf, 'cpu', () => withBuiltinConvGradients(tf, f));
    const actual = await on(tf, 'native', f);
    assert.equal(actual.length, expected.length);
    actual.forEach((a, i) => assert.ok(relativeError(a, expected[i]) <= SUM_TOLERANCE, `${label} output ${i} differs by ${relativeError(a, expected[i])}`));
  }
});

interface Conv {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number;
  pad: Pad;
  dilations: number;
}

/** A convolution tfjs accepts: stride or dilation 1, the filter fits where padding is 'valid'. */
function randomConv(r: ReturnType<typeof seeded>, i: number): Conv {
  const [kh, kw] = [r.int(1, 5), r.int(1, 5)];
  const strides = i % 3 === 0 ? 1 : r.int(1, 3);
  const dilations = strides === 1 ? r.int(1, 2) : 1;
  const x: Conv['x'] = [i % 4 === 0 ? 1 : r.int(1, 3), r.int(kh * dilations, 15), r.int(kw * dilations, 15), r.int(1, 7)];
  const pads: Pad[] = ['same', 'valid', [[0, 0], [r.int(0, 2), r.int(0, 2)], [r.int(0, 2), r.int(0, 2)], [0, 0]]];
  return { x, filter: [kh, kw, x[3], r.int(1, 9)], strides, pad: pads[i % 3], dilations };
}

function convFilterGradient(tf: Tf, x: Tensor4D, dy: Tensor4D, filterShape: Conv['filter'], strides: number, pad: Pad): Tensor {
  return tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides, pad, dataFormat: 'NHWC', filterShape } as never);
}
