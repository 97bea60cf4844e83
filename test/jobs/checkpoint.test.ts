import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { LayersModel, Optimizer, Tensor } from '@tensorflow/tfjs';
import { compute } from '../../compute/tf';
import { latestCheckpoint, restoreCheckpoint, saveCheckpoint } from '../../jobs/runtime/checkpoint';
import { batches, readMnist } from '../../jobs/runtime/mnist';
import { mnistGz } from '../helpers/mnist-model';
import { tempDir } from '../helpers/platform';

describe('checkpoints of the runtime library', function () {
  this.timeout(60_000);

  async function setup() {
    const { tf } = await compute();
    const build = () => {
      const input = tf.input({ shape: [784] });
      return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 10, activation: 'tanh' }).apply(input) as ReturnType<typeof tf.input> });
    };
    const set = await readMnist(await mnistGz(), 'train', 200);
    const step = (model: LayersModel, optimizer: Optimizer, b: { size: number; x: Float32Array; y: Int32Array }) =>
      tf.tidy(() => {
        const x = tf.tensor2d(b.x, [b.size, 784]);
        const y = tf.oneHot(tf.tensor1d(b.y, 'int32'), 10).toFloat();
        optimizer.minimize(() => tf.losses.meanSquaredError(y, model.apply(x) as Tensor), false, model.trainableWeights.map((w) => w.read() as never));
      });
    return { tf, build, set, step };
  }

  it('restores weights and Adadelta slots, so training continues exactly as it would have', async () => {
    const { tf, build, set, step } = await setup();
    const [first, second] = [...batches(set, 100, false)];
    const a = build();
    const optA = tf.train.adadelta(1.0, 0.95, 1e-7);
    step(a, optA, first);
    const dir = await tempDir('ckpt');
    await saveCheckpoint(dir, 1, { model: a, optimizer: optA, state: { note: 'after one batch' } });
    step(a, optA, second);

    const b = build();
    const optB = tf.train.adadelta(1.0, 0.95, 1e-7);
    const ckpt = await latestCheckpoint(dir);
    assert.deepEqual([ckpt?.epoch, ckpt?.state], [1, { note: 'after one batch' }]);
    await restoreCheckpoint(ckpt!, { model: b, optimizer: optB });
    step(b, optB, second);
    const [wa, wb] = [a.getWeights()[0].dataSync(), b.getWeights()[0].dataSync()];
    assert.ok(wa.every((v, i) => Math.abs(v - wb[i]) < 1e-6), 'the same weights after the same next batch');
  });

  it('finds the newest complete checkpoint, keeps two, ignores one cut short, and refuses another architecture', async () => {
    const { tf, build } = await setup();
    const dir = await tempDir('ckpt');
    const model = build();
    for (const epoch of [1, 2, 3]) await saveCheckpoint(dir, epoch, { model });
    await fs.mkdir(path.join(dir, 'epoch-0004'));
    await fs.writeFile(path.join(dir, 'epoch-0004', 'model.json'), '{');
    assert.deepEqual((await fs.readdir(dir)).sort(), ['epoch-0002', 'epoch-0003', 'epoch-0004']);
    assert.equal((await latestCheckpoint(dir))?.epoch, 3);
    assert.equal(await latestCheckpoint(path.join(dir, 'nothing')), undefined);
    const input = tf.input({ shape: [784] });
    const other = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5 }).apply(input) as ReturnType<typeof tf.input> });
    await assert.rejects(restoreCheckpoint((await latestCheckpoint(dir))!, { model: other }), /does not fit this model \(weight 0: saved 784x10, model 784x5\); start fresh with --rebuild=true/);
  });
});
