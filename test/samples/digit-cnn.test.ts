import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { compute } from '../../compute/tf';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { mnistGz, testDigits } from '../helpers/mnist-model';
import { CLASS_LINE, cli, FINAL_LINE } from '../helpers/cli';

const CODE = repoPath('samples', 'digit-cnn', 'code');

/** The network as the issue states it: output shape and parameter count of every layer. */
const EXPECTED_LAYERS: [string, (number | null)[], number][] = [
  ['images', [null, 28, 28, 1], 0],
  ['conv1', [null, 28, 28, 32], 320],
  ['pool1', [null, 14, 14, 32], 0],
  ['branch_a_conv1', [null, 14, 14, 64], 18_496],
  ['branch_a_pool', [null, 7, 7, 64], 0],
  ['branch_a_conv2', [null, 7, 7, 256], 147_712],
  ['branch_b_conv1', [null, 14, 14, 64], 18_496],
  ['branch_b_pool', [null, 7, 7, 64], 0],
  ['branch_b_conv2', [null, 7, 7, 256], 147_712],
  ['concat', [null, 7, 7, 512], 0],
  ['flatten', [null, 25_088], 0],
  ['dense1', [null, 1000], 25_089_000],
  ['dense2', [null, 500], 500_500],
  ['probabilities', [null, 10], 5010],
];

describe('the DigitClassifier CNN sample', function () {
  this.timeout(300_000);

  it('builds the two-branch network with the stated layer shapes and 25,927,246 trainable parameters', async () => {
    const { tf } = await compute();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's CommonJS boot-file module, by its path
    const { buildDigitClassifier } = require(path.join(CODE, 'digit_classifier.js'));
    const model = buildDigitClassifier(tf);
    try {
      const actual = model.layers.map((l: any) => [l.name, l.outputShape, l.countParams()]);
      assert.deepEqual(new Set(actual.map((a: unknown[]) => JSON.stringify(a))), new Set(EXPECTED_LAYERS.map((e) => JSON.stringify(e))));
      const trainable = model.trainableWeights.reduce((n: number, w: any) => n + w.shape.reduce((a: number, b: number) => a * b, 1), 0);
      assert.equal(trainable, 25_927_246);
      assert.equal(model.countParams(), 25_927_246);
    } finally {
      model.dispose();
    }
  });

  describe('through the command line, on a real job', () => {
    let t: TestPlatform;
    let dir: string;

    before(async () => {
      t = await startTestPlatform();
      dir = await tempDir('cnn-code');
      await fs.cp(CODE, dir, { recursive: true });
      // A quick run: one step of two images, set in a config file the job names.
      await fs.writeFile(path.join(dir, 'quick.cfg'), '# one short epoch\nepochs=1\nbatch_size=2\n');
    });

    after(async () => t?.close());

    it('uploads, trains on a subset with a progress display, imports, deploys and classifies a digit', async () => {
      const bucket = 'obs://digit-cnn';
      assert.equal((await cli(t.url, 'upload', dir, `${bucket}/code/`)).code, 0);
      assert.equal((await cli(t.url, 'upload', await mnistGz(), `${bucket}/data/`)).code, 0);
      const train = await cli(t.url, 'train', '--name', 'digit-cnn', '--code', `${bucket}/code/`, '--boot-file', 'train_digit_cnn.js',
        '--data', `${bucket}/data/`, '--output', `${bucket}/output/`, '--param', 'config_file=quick.cfg', '--param', 'subset=2');
      assert.equal(train.code, 0, train.lines.join('\n'));
      assert.match(train.lines.join('\n'), /digit-cnn V0001: Completed/);
      assert.ok(train.lines.some((l) => /^\[#{24}\] 100%/.test(l)), train.lines.join('\n'));

      const job = (await api(t.url, 'GET', '/training-jobs')).body.items[0];
      const metrics = job.versions[0].last_metrics;
      for (const key of ['train_accuracy', 'test_accuracy', 'misclassified', 'samples_per_second']) assert.ok(key in metrics, key);
      assert.equal(metrics.misclassified, Math.round(2 * (1 - metrics.test_accuracy)));
      const log = (await api(t.url, 'GET', `/training-jobs/${job.id}/logs`)).body as string;
      assert.match(log, /epochs 1, batch size 2, learning rate 0.001, subset 2/);
      assert.match(log, /25927246 trainable parameters/);
      const listed = await cli(t.url, 'ls', `${bucket}/output/V0001/`);
      assert.ok(listed.lines.some((l) => /evaluation-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ\.txt$/.test(l)), listed.lines.join('\n'));
      assert.ok(listed.lines.some((l) => /model\/customize_service\.js$/.test(l)));

      assert.equal((await cli(t.url, 'import', '--name', 'digit-cnn', '--job', 'digit-cnn')).code, 0);
      const deployed = await cli(t.url, 'deploy', '--name', 'digit-cnn-service', '--model', 'digit-cnn');
      assert.equal(deployed.code, 0, deployed.lines.join('\n'));
      const image = path.join(dir, 'img_7.png');
      await fs.writeFile(image, testDigits([0])[0].png);
      for (const route of [['--service', 'digit-cnn-service'], ['--service', 'digit-cnn-service', '--tf-serving']]) {
        const predicted = await cli(t.url, 'predict', ...route, '-i', image, '-p');
        assert.equal(predicted.code, 0, predicted.lines.join('\n'));
        assert.equal(predicted.lines.filter((l) => CLASS_LINE.test(l)).length, 10, predicted.lines.join('\n'));
        assert.match(predicted.lines[10], FINAL_LINE);
      }
    });
  });
});
