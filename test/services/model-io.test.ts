import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { compute, type Tf } from '../../compute/tf';
import { loadModelFrom, ModelFolderError, saveModelTo } from '../../compute/model-io';
import type { LoadedModel } from '../../compute/loaded-model';
import { ApiError } from '../../kernel/errors';
import { firstTestDigits } from '../helpers/mnist-model';
import { argmax, centroidModel, toVector } from './helpers/models';
import { writeGraphModel } from './helpers/graph-model';

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('model-io', () => {
  let tf: Tf;
  let root: string;
  let original: LayersModel;
  let saved: string;
  let loaded: LoadedModel;

  before(async () => {
    tf = (await compute()).tf;
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'model-io-'));
    original = centroidModel(tf);
    saved = path.join(root, 'mnist');
    await saveModelTo(original, saved);
    loaded = await loadModelFrom(saved, tf);
  });

  after(() => {
    original?.dispose();
    loaded?.dispose();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('writes model.json and weights.bin in the layout of tfjs-node file:// saves', () => {
    assert.deepEqual(fs.readdirSync(saved).sort(), ['model.json', 'weights.bin']);
    const json = JSON.parse(fs.readFileSync(path.join(saved, 'model.json'), 'utf8'));
    assert.deepEqual(Object.keys(json), ['modelTopology', 'weightsManifest', 'format', 'generatedBy', 'convertedBy']);
    assert.equal(json.format, 'layers-model');
    assert.equal(json.weightsManifest.length, 1);
    assert.deepEqual(json.weightsManifest[0].paths, ['weights.bin']);
    assert.deepEqual(json.weightsManifest[0].weights.map((w: { name: string }) => w.name), ['scores/kernel', 'scores/bias']);
    assert.equal(fs.statSync(path.join(saved, 'weights.bin')).size, (784 * 10 + 10) * 4);
  });

  it('names a Layers model\'s inputs and outputs after its layers', () => {
    assert.equal(loaded.kind, 'layers');
    assert.deepEqual(loaded.inputs, [{ name: 'images', dtype: 'float32', shape: [null, 784] }]);
    assert.deepEqual(loaded.outputs, [{ name: 'scores', dtype: 'float32', shape: [null, 10] }]);
  });

  it('predicts exactly what the model predicted before saving, on real digits', async () => {
    const digits = firstTestDigits(20);
    const rows = digits.map(toVector);
    const expected = tf.tidy(() => (original.predict(tf.tensor2d(rows)) as Tensor).arraySync()) as number[][];
    const { scores } = (await loaded.predict({ images: rows })) as { scores: number[][] };
    assert.deepEqual(scores, expected);
    const correct = digits.filter((d, i) => argmax(scores[i]) === d.label).length;
    assert.ok(correct >= 15, `the centroid classifier got ${correct}/20`);
  });

  it('takes one flat list or typed array as a single row', async () => {
    const [digit] = firstTestDigits(1);
    const { scores: nested } = (await loaded.predict({ images: [toVector(digit)] })) as { scores: number[][] };
    const { scores: flat } = (await loaded.predict({ images: toVector(digit) })) as { scores: number[][] };
    const { scores: typed } = (await loaded.predict({ images: Float32Array.from(toVector(digit)) })) as { scores: number[][] };
    assert.deepEqual(flat, nested);
    assert.deepEqual(typed, nested);
  });

  it('loads a converter-style model whose weights are spread over several shards and groups', async () => {
    const dir = path.join(root, 'sharded');
    fs.mkdirSync(dir);
    const json = JSON.parse(fs.readFileSync(path.join(saved, 'model.json'), 'utf8'));
    const weights = fs.readFileSync(path.join(saved, 'weights.bin'));
    const kernelBytes = 784 * 10 * 4;
    // group1: the kernel in three shards; group2: the bias alone.
    const cuts = [0, 10000, 20000, kernelBytes];
    const kernelShards = cuts.slice(1).map((end, i) => `group1-shard${i + 1}of3.bin`);
    kernelShards.forEach((name, i) => fs.writeFileSync(path.join(dir, name), weights.subarray(cuts[i], cuts[i + 1])));
    fs.writeFileSync(path.join(dir, 'group2-shard1of1.bin'), weights.subarray(kernelBytes));
    const [kernel, bias] = json.weightsManifest[0].weights;
    json.weightsManifest = [
      { paths: kernelShards, weights: [kernel] },
      { paths: ['group2-shard1of1.bin'], weights: [bias] },
    ];
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
    const sharded = await loadModelFrom(dir, tf);
    const rows = firstTestDigits(3).map(toVector);
    assert.deepEqual(await sharded.predict({ images: rows }), await loaded.predict({ images: rows }));
    sharded.dispose();
  });

  it('loads a graph model and names its inputs and outputs by signature', async () => {
    const dir = path.join(root, 'graph');
    writeGraphModel(dir);
    const graph = await loadModelFrom(dir, tf);
    assert.equal(graph.kind, 'graph');
    assert.deepEqual(graph.inputs, [{ name: 'features', dtype: 'float32', shape: [null, 3] }]);
    assert.deepEqual(graph.outputs.map((o) => o.name), ['probabilities']);
    const { probabilities } = (await graph.predict({ features: [[1, 0, 0], [0, 0, 2]] })) as { probabilities: number[][] };
    // The weights map features [a, b, c] to logits [a, 2c]: row 1 → class 0, row 2 → class 1.
    assert.deepEqual(probabilities.map(argmax), [0, 1]);
    assert.ok(Math.abs(probabilities[0][0] + probabilities[0][1] - 1) < 1e-6);
    graph.dispose();
  });

  it('refuses weight paths that lead out of the model folder', async () => {
    fs.writeFileSync(path.join(root, 'outside.bin'), Buffer.alloc(8));
    const json = JSON.parse(fs.readFileSync(path.join(saved, 'model.json'), 'utf8'));
    const escapes = ['../outside.bin', path.join(root, 'outside.bin'), 'sub/../../outside.bin', 'link.bin'];
    for (const [i, weightPath] of escapes.entries()) {
      const dir = path.join(root, `escape-${i}`);
      fs.mkdirSync(dir);
      if (weightPath === 'link.bin') fs.symlinkSync(path.join(root, 'outside.bin'), path.join(dir, 'link.bin'));
      json.weightsManifest[0].paths = [weightPath];
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
      const err = await refusal(loadModelFrom(dir, tf));
      assert.ok(err instanceof ModelFolderError);
      assert.match(err.message, /outside the model folder|relative to model.json/, weightPath);
    }
  });

  it('says which file is missing or broken', async () => {
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    assert.match((await refusal(loadModelFrom(empty, tf))).message, /model\.json does not exist/);
    fs.writeFileSync(path.join(empty, 'model.json'), '{ not json');
    assert.match((await refusal(loadModelFrom(empty, tf))).message, /is not valid JSON/);
    const json = JSON.parse(fs.readFileSync(path.join(saved, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['missing.bin'];
    fs.writeFileSync(path.join(empty, 'model.json'), JSON.stringify(json));
    assert.match((await refusal(loadModelFrom(empty, tf))).message, /"missing\.bin" does not exist/);
    fs.writeFileSync(path.join(empty, 'missing.bin'), Buffer.alloc(16));
    assert.match((await refusal(loadModelFrom(empty, tf))).message, /could not be loaded/);
  });

  describe('predict refuses bad input with predict_bad_input', () => {
    const expected = /images \(float32, shape \[null, 784\]\)/;
    const cases: [string, unknown, RegExp][] = [
      ['a missing input', { pictures: [[1]] }, /no input "images"/],
      ['a wrongly shaped input', { images: [[1, 2, 3]] }, /input "images" has shape \[1, 3\]/],
      ['a ragged input', { images: [new Array(784).fill(0), [1]] }, /ragged/],
      ['strings', { images: [new Array(784).fill('0.5')] }, /the string "0.5"/],
      ['an unknown extra input', { images: [new Array(784).fill(0)], labels: [1] }, /no input "labels"/],
      ['a non-object', [1, 2, 3], /object of input name/],
      ['infinite values', { images: [new Array(784).fill(Infinity)] }, /not a finite number/],
    ];
    for (const [what, body, message] of cases) {
      it(`refuses ${what}, naming the expected inputs and shapes`, async () => {
        const err = await refusal(loaded.predict(body as Record<string, number[]>));
        assert.equal(err.kind, 'predict_bad_input');
        assert.match(err.message, message);
        assert.match(err.message, expected);
      });
    }
  });

  it('keeps the tensor count stable over 10,000 predictions and refusals', async function () {
    this.timeout(120000);
    const row = toVector(firstTestDigits(1)[0]);
    await loaded.predict({ images: [row] });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10000; i++) {
      await loaded.predict({ images: [row] });
      if (i % 1000 === 0) await assert.rejects(loaded.predict({ images: [[1]] }));
    }
    assert.equal(tf.memory().numTensors, before);
  });
});
