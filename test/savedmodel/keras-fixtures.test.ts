import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compute } from '../../compute/tf';
import { loadModelFrom } from '../../compute/model-io';
import { convertKeras } from '../../compute/keras/keras-convert';
import { kerasFormat } from '../../compute/keras/keras-file';
import type { NestedNumbers } from '../../compute/loaded-model';
import { tempDir } from '../helpers/platform';
import { testVenv } from '../helpers/test-venv';
import { kerasPredict, mnistTestSet } from '../helpers/tf-models';
import { useModelFixtures } from './helpers';

/** Inputs for each fixture: MNIST digits for the convnet, fixed values for the rest. */
const ramp = (n: number, width: number) => Array.from({ length: n }, (_, i) => Array.from({ length: width }, (_, k) => ((i + 1) * (k + 1)) / (n * width)));
const digits = mnistTestSet(4).images.map((px) => Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [px[r * 28 + c] / 255])));
const CASES: { file: string; format: string; inputs: unknown; shape: number[] }[] = [
  { file: 'keras-h5/mnist_model_keras3.h5', format: 'hdf5', inputs: digits, shape: [4, 28, 28, 1] },
  { file: 'keras/hdf5_named_dot_keras.keras', format: 'hdf5', inputs: ramp(3, 8), shape: [3, 8] },
];

function reshape(flat: number[], shape: number[]): NestedNumbers {
  if (shape.length === 1) return flat;
  const stride = flat.length / shape[0];
  return Array.from({ length: shape[0] }, (_, i) => reshape(flat.slice(i * stride, (i + 1) * stride), shape.slice(1)));
}

const flatten = (v: unknown): number[] => (Array.isArray(v) ? v.flatMap(flatten) : [Number(v)]);

describe('Keras files written by Keras 2 and 3, converted and run here', function () {
  this.timeout(180_000);
  const fixtures = useModelFixtures(this);

  // Keras 3 itself no longer loads these two (a Keras 2.1 list config; a Keras 2.3 input it misreads as 3-D).
  for (const [file, input, output, shape] of [
    ['keras-h5/cnn_batch_norm.h5', 'conv2d_1_input', 'dense_1', [2, 10, 10, 3]],
    ['keras-h5/simple_sparse_xent_mlp_keras_2_model.h5', 'dense_1_input', 'activation_1', [3, 4]],
  ] as const) {
    it(`converts ${file}, written by Keras 2`, async () => {
      const { tf } = await compute();
      const out = await tempDir('keras-converted');
      await convertKeras(await fs.readFile(path.join(fixtures(), file)), file, out, tf);
      const model = await loadModelFrom(out, tf);
      try {
        assert.deepEqual(model.inputs, [{ name: input, dtype: 'float32', shape: [null, ...shape.slice(1)] }]);
        const got = await model.predict({ [input]: reshape(flatten(ramp(shape[0], shape.slice(1).reduce((a, b) => a * b, 1))), [...shape]) });
        assert.ok(flatten(got[output]).every(Number.isFinite));
      } finally {
        model.dispose();
      }
    });
  }

  it('tells HDF5 from a .keras zip by the bytes, not the name (an HDF5 file named .keras)', async () => {
    assert.equal(kerasFormat(await fs.readFile(path.join(fixtures(), 'keras', 'hdf5_named_dot_keras.keras'))), 'hdf5');
  });

  describe('compared with Keras itself', function () {
    const venv = testVenv();
    let expected: number[][][] = [];

    before(async function () {
      if (!venv.venv) return this.skip();
      expected = await kerasPredict(venv.venv, CASES.map((c) => ({ file: path.join(fixtures(), c.file), inputs: c.inputs, shape: c.shape })));
    });

    CASES.forEach((c, i) => {
      it(`${c.file}: every output within 1e-5 of Keras'`, async () => {
        const { tf } = await compute();
        const out = await tempDir('keras-converted');
        const converted = await convertKeras(await fs.readFile(path.join(fixtures(), c.file)), c.file, out, tf);
        assert.equal(converted.format, c.format);
        const model = await loadModelFrom(out, tf);
        try {
          const got = await model.predict({ [model.inputs[0].name]: reshape(flatten(c.inputs), c.shape) });
          const a = flatten(got[model.outputs[0].name]);
          const b = flatten(expected[i]);
          assert.equal(a.length, b.length);
          a.forEach((v, k) => assert.ok(Math.abs(v - b[k]) <= 1e-5 * Math.max(1, Math.abs(b[k])), `${k}: ${v} vs ${b[k]}`));
        } finally {
          model.dispose();
        }
      });
    });
  });
});
