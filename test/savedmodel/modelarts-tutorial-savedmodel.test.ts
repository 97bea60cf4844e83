import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, tempDir, type TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { sharedFixture } from '../helpers/shared-fixtures';
import { useTestVenv } from '../helpers/test-venv';
import { mnistTestSet, tfPredict, tutorialSavedModel } from '../helpers/tf-models';
import { cli, FINAL_LINE } from '../helpers/cli';
import { repoPath } from '../../kernel/paths';
import { importPackage } from './helpers';

const hooks = sharedFixture('modelarts-hooks');
const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));

/**
 * The ModelArts tutorial as its users run it: TensorFlow trains the softmax regression
 * and SavedModelBuilder writes it (signature predict_images: images → scores); the
 * package is that SavedModel with the tutorial's own config.json and customize_service.py.
 */
describe('the ModelArts tutorial: a TF1 SavedModelBuilder model with its own config.json and customize_service.py', function () {
  this.timeout(300_000);
  const venv = useTestVenv(this);
  let t: TestPlatform;
  let savedModel: string;
  let model: any;
  let service: any;

  before(async function () {
    if (!hooks.dir) return this.skip();
    savedModel = await tutorialSavedModel(venv());
    const dir = await tempDir('tutorial-package');
    await fs.cp(savedModel, path.join(dir, 'model'), { recursive: true });
    for (const f of ['config.json', 'customize_service.py']) await fs.copyFile(path.join(hooks.dir, 'mnist-tutorial', f), path.join(dir, 'model', f));
    t = await startTestPlatform();
    const res = await importPackage(t, dir, 'mnist-savedmodel');
    assert.equal(res.status, 201, JSON.stringify(res.body));
    model = res.body;
    service = await deployService(t.url, { name: 'mnist-savedmodel', model_id: model.id });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
  });

  after(async () => t?.close());

  it('imports the SavedModel with its signature as TensorFlow wrote it', () => {
    assert.equal(model.hook_file, 'customize_service.py');
    assert.deepEqual(model.models, [
      {
        path: '',
        format: 'savedmodel',
        inputs: [{ name: 'images', dtype: 'float32', shape: [null, 784] }],
        outputs: [{ name: 'scores', dtype: 'float32', shape: [null, 10] }],
        default_signature: 'predict_images',
        signatures: ['predict_images'],
      },
    ]);
  });

  it('answers 10 uploaded test digits through the tutorial\'s customize_service.py as TensorFlow scores them', async () => {
    const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const tf = await tfPredict(venv(), savedModel, 'predict_images', { images: { values: digits.map((d) => Array.from(d.pixels)), shape: [10, 784], dtype: 'float32' } });
    let right = 0;
    let tfRight = 0;
    for (const [i, d] of digits.entries()) {
      if (argmax(tf.scores[i]) === d.label) tfRight++;
      const got = await predictFile(`${t.url}/v1/infers/${service.id}/`, d.png, { fileName: `img_${d.index}.png` });
      assert.equal(got.status, 200, JSON.stringify(got.body));
      // The hook feeds raw 0-255 pixels, as the tutorial's does; TensorFlow got the same.
      assert.equal(got.body.predicted_label, String(argmax(tf.scores[i])));
      if (got.body.predicted_label === String(d.label)) right++;
    }
    // The tutorial's hook feeds raw 0-255 pixels to a model trained on [0, 1]: TensorFlow gets one of these ten wrong that way too.
    assert.equal(right, tfRight);
    assert.ok(right >= 9, `${right} of 10 test digits right`);
  });

  it('is what modelarts-local predict --tf-serving finds by its first signature (it has no serving_default)', async () => {
    const [digit] = testDigits([0]);
    const image = path.join(await tempDir('tutorial-cli'), 'img_0.png');
    await fs.writeFile(image, digit.png);
    const got = await cli(t.url, 'predict', '--url', `${t.url}/v1/models/mnist-savedmodel`, '-i', image);
    assert.equal(got.code, 0, got.lines.join('\n'));
    assert.equal(FINAL_LINE.exec(got.lines[got.lines.length - 1])?.[2], String(digit.label), got.lines.join('\n'));
  });

  it('runs a JavaScript hook on the same SavedModel (the MNIST sample\'s customize_service.js: a flat Float32Array per image)', async () => {
    const dir = await tempDir('tutorial-js-hook');
    await fs.cp(savedModel, path.join(dir, 'model'), { recursive: true });
    for (const f of ['config.json', 'customize_service.js']) await fs.copyFile(repoPath('samples', 'mnist', 'code', 'model-package', f), path.join(dir, 'model', f));
    const imported = await importPackage(t, dir, 'mnist-savedmodel-js');
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const s = await deployService(t.url, { name: 'mnist-savedmodel-js', model_id: imported.body.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    const digits = testDigits([0, 1, 2]);
    const tf = await tfPredict(venv(), savedModel, 'predict_images', { images: { values: digits.map((d) => Array.from(d.pixels, (v) => v / 255)), shape: [3, 784], dtype: 'float32' } });
    for (const [i, d] of digits.entries()) {
      const got = await predictFile(s.access_address, d.png);
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.equal(got.body.predicted_label, String(argmax(tf.scores[i])));
    }
  });

  it('serves the signature through TF Serving\'s REST API by its own name', async () => {
    const { images, labels } = mnistTestSet(10);
    const res = await api(t.url, 'POST', '/v1/models/mnist-savedmodel:predict', { signature_name: 'predict_images', instances: images.map((px) => px.map((v) => v / 255)) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    // A softmax regression after 1000 steps is about 92% right: nine of these ten.
    const right = res.body.predictions.filter((row: number[], i: number) => argmax(row) === labels[i]).length;
    assert.ok(right >= 9, `${right} of 10 right`);
  });
});

describe('the tutorial\'s SavedModel against TensorFlow on 1,000 MNIST test digits [heavy]', function () {
  this.timeout(600_000);
  const venv = useTestVenv(this);
  let t: TestPlatform;

  after(async () => t?.close());

  it('gives the same arg-max on every digit and scores within 1e-4 of TensorFlow\'s', async () => {
    const savedModel = await tutorialSavedModel(venv());
    const dir = await tempDir('tutorial-1000');
    await fs.cp(savedModel, path.join(dir, 'model'), { recursive: true });
    await fs.writeFile(path.join(dir, 'model', 'config.json'), JSON.stringify({ model_type: 'TensorFlow', model_algorithm: 'image_classification' }));
    t = await startTestPlatform();
    const imported = await importPackage(t, dir, 'mnist-1000');
    assert.equal(imported.status, 201, JSON.stringify(imported.body));
    const s = await deployService(t.url, { name: 'mnist-1000', model_id: imported.body.id });
    assert.equal(s.status, 'running', s.reason);
    const { images } = mnistTestSet(1000);
    const scaled = images.map((px) => px.map((v) => v / 255));
    const tf = await tfPredict(venv(), savedModel, 'predict_images', { images: { values: scaled, shape: [1000, 784], dtype: 'float32' } });
    let worst = 0;
    for (let at = 0; at < 1000; at += 100) {
      const res = await api(t.url, 'POST', '/v1/models/mnist-1000:predict', { instances: scaled.slice(at, at + 100) });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      res.body.predictions.forEach((row: number[], i: number) => {
        const expected: number[] = tf.scores[at + i];
        assert.equal(argmax(row), argmax(expected), `digit ${at + i}`);
        for (const [k, v] of row.entries()) worst = Math.max(worst, Math.abs(v - expected[k]));
      });
    }
    assert.ok(worst <= 1e-4, `largest difference in a score: ${worst}`);
  });
});
