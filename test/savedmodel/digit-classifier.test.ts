import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { distPath } from '../../kernel/paths';
import { api, waitFor } from '../helpers/http';
import { startTestPlatform, tempDir, type TestPlatform } from '../helpers/platform';
import { deployService } from '../helpers/services';
import { useTestVenv } from '../helpers/test-venv';
import { digitClassifierModels, grpcPredictFromPython, kerasPredict, mnistTestSet } from '../helpers/tf-models';
import { freePort } from '../helpers/ports';
import { importPackage, TF_CONFIG } from './helpers';

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const TOLERANCE = 1e-4;

/** Digits as the DigitClassifier feeds them: pixels / 255, [n, 28, 28, 1]. */
function asImages(images: number[][]): number[][][][] {
  return images.map((px) => Array.from({ length: 28 }, (_, r) => Array.from({ length: 28 }, (_, c) => [px[r * 28 + c] / 255])));
}

function compare(got: number[][], want: number[][]): number {
  let worst = 0;
  got.forEach((row, i) => {
    assert.equal(argmax(row), argmax(want[i]), `digit ${i}: ${argmax(row)} here, ${argmax(want[i])} in TensorFlow`);
    row.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - want[i][k]))));
  });
  assert.ok(worst <= TOLERANCE, `largest difference in a score: ${worst}`);
  return worst;
}

async function packageWith(file: string, name: string): Promise<string> {
  const dir = await tempDir('dc-package');
  await fs.mkdir(path.join(dir, 'model'));
  await fs.copyFile(file, path.join(dir, 'model', name));
  await fs.writeFile(path.join(dir, 'model', 'config.json'), JSON.stringify(TF_CONFIG));
  return dir;
}

/**
 * The DigitClassifier project's flow: its Keras CNN, trained by TensorFlow, saved as
 * cnnModel.h5 (and .keras), exported to my_digit_classifier/1/ and served with TF
 * Serving's command line; its REST call and server_utils' gRPC client against it.
 */
describe('the DigitClassifier: Keras .h5 and .keras imported, its SavedModel served by modelarts-local tf-serving', function () {
  this.timeout(600_000);
  const venv = useTestVenv(this);
  let models: string;
  let t: TestPlatform;
  let server: ChildProcess | undefined;
  const { images } = mnistTestSet(10);
  const digits = asImages(images);
  let keras: number[][];

  before(async () => {
    models = await digitClassifierModels(venv());
    [keras] = await kerasPredict(venv(), [{ file: path.join(models, 'cnnModel.h5'), inputs: digits, shape: [10, 28, 28, 1] }]);
    t = await startTestPlatform();
  });

  after(async () => {
    server?.kill('SIGTERM');
    await t?.close();
  });

  for (const [file, format] of [['cnnModel.h5', 'keras-h5'], ['cnnModel.keras', 'keras']]) {
    it(`imports ${file} as it is and serves what Keras computes (${format})`, async () => {
      const name = `digits-${format}`;
      const imported = await importPackage(t, await packageWith(path.join(models, file), file), name);
      assert.equal(imported.status, 201, JSON.stringify(imported.body));
      assert.equal(imported.body.models[0].format, format);
      const service = await deployService(t.url, { name, model_id: imported.body.id });
      assert.equal(service.status, 'running', service.reason);
      const res = await api(t.url, 'POST', `/v1/models/${name}:predict`, { instances: digits });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      compare(res.body.predictions, keras);
    });
  }

  it('serves my_digit_classifier/ with tf-serving: the project\'s REST call and server_utils\' gRPC client', async () => {
    const [rest, grpcPort] = [await freePort(), await freePort()];
    let log = '';
    server = spawn(process.execPath, [distPath('client', 'cli', 'main.js'), 'tf-serving', '--model_name=my_digit_classifier', `--model_base_path=${path.join(models, 'my_digit_classifier')}`, `--rest_api_port=${rest}`, `--port=${grpcPort}`], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LOG_LEVEL: 'info' } });
    server.stdout!.on('data', (d) => (log += d));
    server.stderr!.on('data', (d) => (log += d));
    await waitFor('the server', async () => (/Exporting HTTP\/REST API/.test(log) ? true : undefined), 120_000);
    // DigitClassifier's client: requests.post(url, json={"signature_name": "serving_default", "instances": x.tolist()}).
    const res = await fetch(`http://localhost:${rest}/v1/models/my_digit_classifier:predict`, { method: 'POST', body: JSON.stringify({ signature_name: 'serving_default', instances: digits }) });
    const body = (await res.json()) as { predictions: number[][] };
    assert.equal(res.status, 200, JSON.stringify(body));
    compare(body.predictions, keras);
    const got = await grpcPredictFromPython(venv(), `127.0.0.1:${grpcPort}`, 'my_digit_classifier', 'serving_default', { images: { values: digits, shape: [10, 28, 28, 1], dtype: 'float32' } });
    compare(got.output_0, keras);
  });
});

describe('the DigitClassifier against Keras on 1,000 MNIST test digits [heavy]', function () {
  this.timeout(900_000);
  const venv = useTestVenv(this);
  let t: TestPlatform;

  after(async () => t?.close());

  it('gives the same arg-max on every digit, scores within 1e-4, from the .h5 and from the exported SavedModel', async () => {
    const models = await digitClassifierModels(venv(), 4096);
    const digits = asImages(mnistTestSet(1000).images);
    const [keras] = await kerasPredict(venv(), [{ file: path.join(models, 'cnnModel.h5'), inputs: digits, shape: [1000, 28, 28, 1] }]);
    t = await startTestPlatform();
    const h5 = await importPackage(t, await packageWith(path.join(models, 'cnnModel.h5'), 'cnnModel.h5'), 'dc-h5');
    const dir = await tempDir('dc-savedmodel');
    await fs.cp(path.join(models, 'my_digit_classifier'), path.join(dir, 'model'), { recursive: true });
    await fs.writeFile(path.join(dir, 'model', 'config.json'), JSON.stringify(TF_CONFIG));
    const saved = await importPackage(t, dir, 'dc-savedmodel');
    for (const [name, imported] of [['dc-h5', h5], ['dc-savedmodel', saved]] as const) {
      assert.equal(imported.status, 201, JSON.stringify(imported.body));
      const service = await deployService(t.url, { name, model_id: imported.body.id });
      assert.equal(service.status, 'running', service.reason);
      const predictions: number[][] = [];
      for (let at = 0; at < 1000; at += 100) {
        const res = await api(t.url, 'POST', `/v1/models/${name}:predict`, { instances: digits.slice(at, at + 100) });
        assert.equal(res.status, 200, JSON.stringify(res.body));
        predictions.push(...res.body.predictions);
      }
      compare(predictions, keras);
    }
  });
});
