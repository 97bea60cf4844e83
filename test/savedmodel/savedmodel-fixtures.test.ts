import assert from 'node:assert/strict';
import path from 'node:path';
import { compute } from '../../compute/tf';
import { loadModelFrom } from '../../compute/model-io';
import { CONVERTED_JSON } from '../../compute/savedmodel/converted-format';
import { convertSavedModel, writeConverted } from '../../compute/savedmodel/convert';
import type { LoadedModel, NestedNumbers } from '../../compute/loaded-model';
import { tempDir } from '../helpers/platform';
import { testVenv } from '../helpers/test-venv';
import { mnistTestSet, tfModels, tfPredictMany, type TfInput } from '../helpers/tf-models';
import { useModelFixtures } from './helpers';

interface Case {
  model: string;
  signature: string;
  inputs: Record<string, TfInput>;
  /** What the fixture's source documents, where it does. */
  documented?: Record<string, NestedNumbers>;
}

const f32 = (values: unknown, shape: number[]): TfInput => ({ values, shape, dtype: 'float32' });
const digits = mnistTestSet(5).images.map((px) => px.map((v) => v / 255));

const CASES: Case[] = [
  { model: 'tf-serving/saved_model_half_plus_two_cpu/00000123', signature: 'serving_default', inputs: { x: f32([[1], [2], [5]], [3, 1]) }, documented: { y: [[2.5], [3], [4.5]] } },
  { model: 'tf-serving/saved_model_half_plus_two_cpu/00000123', signature: 'regress_x2_to_y3', inputs: { inputs: f32([[1], [4]], [2, 1]) }, documented: { outputs: [[3.5], [5]] } },
  { model: 'tf-serving/saved_model_half_plus_two_mkl/00000123', signature: 'serving_default', inputs: { x: f32([[1], [2], [5]], [3, 1]) }, documented: { y: [[2.5], [3], [4.5]] } },
  { model: 'tf-serving/saved_model_half_plus_two_tf2_cpu/00000123', signature: 'serving_default', inputs: { x: f32([1], [1]) }, documented: { y: [2.5] } },
  { model: 'tf-serving/saved_model_half_plus_two_tf2_cpu/00000123', signature: 'regress_x2_to_y3', inputs: { inputs: f32([3], [1]) }, documented: { outputs: [4.5] } },
  { model: 'tf-serving/saved_model_half_plus_two_tf2_cpu/00000123', signature: 'classify_x2_to_y3', inputs: { inputs: f32([3], [1]) }, documented: { scores: [4.5] } },
  { model: 'tfjs-node/times_three_float', signature: 'serving_default', inputs: { x: f32(4, []) }, documented: { output_0: 12 } },
  { model: 'tfjs-node/times_two_int', signature: 'serving_default', inputs: { x: { values: 4, shape: [], dtype: 'int32' } }, documented: { output_0: 8 } },
  { model: 'tfjs-node/int64_multiply', signature: 'serving_default', inputs: { x: { values: [3, 4], shape: [2], dtype: 'int64' } } },
  { model: 'tfjs-node/uint8_multiply', signature: 'serving_default', inputs: { x: { values: [3], shape: [1], dtype: 'uint8' } } },
  { model: 'tfjs-node/model_multi_output', signature: 'serving_default', inputs: { x: { values: 2, shape: [], dtype: 'int32' }, y: { values: 3, shape: [], dtype: 'int32' } } },
  { model: 'tfjs-node/model_single_input_multi_output', signature: 'serving_default', inputs: { x: { values: 2, shape: [], dtype: 'int32' } } },
  { model: 'tfjs-node/module_with_multiple_signatures', signature: 'serving_default', inputs: { x: f32(2, []) } },
  { model: 'tfjs-node/module_with_multiple_signatures', signature: 'timestwo', inputs: { x: f32(2, []) }, documented: { output_0: 4 } },
  { model: 'tensorflow-net/simple_model_from_auto_compile', signature: 'serving_default', inputs: { input_1: f32(digits.map((d) => chunk(d, 28).map((row) => row.map((v) => [v]))), [5, 28, 28, 1]) } },
  { model: 'tensorflow-net/lstm_from_sequential', signature: 'serving_default', inputs: { input_1: f32(Array.from({ length: 2 }, (_, b) => Array.from({ length: 5 }, (_, t) => [0.1 * b, 0.05 * t, -0.2])), [2, 5, 3]) } },
];

function chunk<T>(xs: T[], n: number): T[][] {
  return Array.from({ length: xs.length / n }, (_, i) => xs.slice(i * n, (i + 1) * n));
}

function flat(v: NestedNumbers): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [Number(v)];
}

function close(got: NestedNumbers, want: NestedNumbers, what: string, tolerance = 1e-5): void {
  const a = flat(got);
  const b = flat(want);
  assert.equal(a.length, b.length, `${what}: ${a.length} values where ${b.length} were expected`);
  a.forEach((v, i) => assert.ok(Math.abs(v - b[i]) <= tolerance * Math.max(1, Math.abs(b[i])), `${what}[${i}]: ${v} vs ${b[i]}`));
}

describe('SavedModel fixtures written by TensorFlow, converted and run here', function () {
  this.timeout(180_000);
  const fixtures = useModelFixtures(this);
  const loaded = new Map<string, LoadedModel>();

  async function signatureOf(model: string, signature: string): Promise<LoadedModel> {
    if (!loaded.has(model)) {
      const out = await tempDir('converted');
      await writeConverted(convertSavedModel(path.join(fixtures(), model), `${model}/`), out);
      loaded.set(model, await loadModelFrom(path.join(out, CONVERTED_JSON), (await compute()).tf));
    }
    return loaded.get(model)!.signatures!.byName[signature].load();
  }

  async function ours(c: Case): Promise<Record<string, NestedNumbers>> {
    const model = await signatureOf(c.model, c.signature);
    return model.predict(Object.fromEntries(Object.entries(c.inputs).map(([k, v]) => [k, v.values as NestedNumbers])));
  }

  after(() => loaded.forEach((m) => m.dispose()));

  for (const c of CASES.filter((x) => x.documented)) {
    it(`${c.model} ${c.signature} gives what its source documents`, async () => {
      const got = await ours(c);
      for (const [key, want] of Object.entries(c.documented!)) close(got[key], want, key);
    });
  }

  describe('compared with TensorFlow itself', function () {
    const venv = testVenv();
    let expected: Record<string, any>[] = [];

    before(async function () {
      if (!venv.venv) return this.skip();
      expected = await tfPredictMany(venv.venv, CASES.map((c) => ({ dir: path.join(fixtures(), c.model), signature: c.signature, inputs: c.inputs })));
    });

    it('a TF1 variable split in three parts (fixed_size_partitioner), joined from the checkpoint: within 1e-5 of TensorFlow', async () => {
      const dir = path.join(await tempDir('partitioned'), 'model');
      await tfModels(venv.venv!, ['partitioned', dir]);
      const x = f32([[1, 2, 3, 4, 5, 6], [-1, 0, 1, 0, -1, 0.5]], [2, 6]);
      const [want] = await tfPredictMany(venv.venv!, [{ dir, signature: 'serving_default', inputs: { x } }]);
      const out = await tempDir('partitioned-converted');
      await writeConverted(convertSavedModel(dir, 'partitioned/'), out);
      const model = await loadModelFrom(path.join(out, CONVERTED_JSON), (await compute()).tf);
      try {
        close((await model.predict({ x: x.values as NestedNumbers })).y, want.y, 'y');
      } finally {
        model.dispose();
      }
    });

    CASES.forEach((c, i) => {
      it(`${c.model} ${c.signature}: every output within 1e-5 of TensorFlow's`, async () => {
        const got = await ours(c);
        assert.deepEqual(Object.keys(got).sort(), Object.keys(expected[i]).sort());
        for (const [key, want] of Object.entries(expected[i])) close(got[key], want, key);
      });
    });
  });
});
