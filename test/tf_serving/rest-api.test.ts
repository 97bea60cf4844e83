import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api, apiDefaults } from '../helpers/http';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist } from '../helpers/services';
import { cliWithEnv, FINAL_LINE } from '../helpers/cli';

const argmax = (xs: number[]) => xs.indexOf(Math.max(...xs));
const scaled = (pixels: Uint8Array) => Array.from(pixels, (v) => v / 255);

/** model/1/ is the trained model, model/2/ the same network with every weight zero. */
async function asTwoVersions(modelDir: string): Promise<void> {
  for (const v of ['1', '2']) {
    await fs.mkdir(path.join(modelDir, v));
    for (const f of ['model.json', 'weights.bin']) await fs.copyFile(path.join(modelDir, f), path.join(modelDir, v, f));
  }
  const weights = path.join(modelDir, '2', 'weights.bin');
  await fs.writeFile(weights, Buffer.alloc((await fs.stat(weights)).size));
  await fs.rm(path.join(modelDir, 'model.json'));
  await fs.rm(path.join(modelDir, 'weights.bin'));
}

describe("TF Serving's REST API on a running service", function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let direct: string;
  let viaPlatform: string;
  const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'tfs-rest', 'mnist');
    const service = await deployService(t.url, { name: 'digits', model_id: model.id });
    assert.equal(service.status, 'running', service.reason);
    direct = `${service.access_address}v1/models/digits`;
    viaPlatform = `${t.url}/v1/models/digits`;
  });

  after(async () => t?.close());

  it('reports the model version AVAILABLE, on the service address and on the control plane', async () => {
    for (const base of [direct, viaPlatform]) {
      const res = await api(base, 'GET', '');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, { model_version_status: [{ version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } }] });
    }
  });

  it('describes the serving_default signature with dtypes and shapes', async () => {
    const res = await api(viaPlatform, 'GET', '/metadata');
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(res.body.model_spec, { name: 'digits', signature_name: '', version: '1' });
    const sig = res.body.metadata.signature_def.signature_def.serving_default;
    assert.equal(sig.method_name, 'tensorflow/serving/predict');
    assert.deepEqual(sig.inputs.images.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '784']);
    assert.equal(sig.inputs.images.dtype, 'DT_FLOAT');
    assert.deepEqual(sig.outputs.scores.tensor_shape.dim.map((d: { size: string }) => d.size), ['-1', '10']);
  });

  it('answers rows of "instances" with "predictions", running the model without the hook', async () => {
    const res = await api(viaPlatform, 'POST', ':predict', { signature_name: 'serving_default', instances: digits.map((d) => scaled(d.pixels)) });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.predictions.length, 10);
    for (const p of res.body.predictions) assert.ok(Math.abs(p.reduce((a: number, b: number) => a + b, 0) - 1) < 1e-4, 'softmax rows');
    const right = res.body.predictions.filter((p: number[], i: number) => argmax(p) === digits[i].label).length;
    assert.ok(right >= 8, `${right} of 10 test digits right`);
  });

  it('answers named columnar "inputs" with "outputs", and a plain POST from curl -d without a JSON content type', async () => {
    const body = JSON.stringify({ inputs: { images: [scaled(digits[0].pixels)] } });
    const res = await fetch(`${direct}:predict`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(res.status, 200);
    const answer = (await res.json()) as { outputs: number[][] };
    assert.equal(answer.outputs.length, 1);
    assert.equal(argmax(answer.outputs[0]), digits[0].label);
  });

  it('takes {"b64": …} values as the raw little-endian bytes of the input tensor', async () => {
    const floats = Float32Array.from(scaled(digits[1].pixels));
    const b64 = Buffer.from(floats.buffer).toString('base64');
    const binary = await api(viaPlatform, 'POST', ':predict', { instances: [{ b64 }] });
    const plain = await api(viaPlatform, 'POST', ':predict', { instances: [scaled(digits[1].pixels)] });
    assert.equal(binary.status, 200, JSON.stringify(binary.body));
    assert.deepEqual(binary.body, plain.body);
    assert.equal(argmax(binary.body.predictions[0]), digits[1].label);
  });

  it('answers bad requests with {"error": …} and 400, unknown models and versions with 404', async () => {
    const cases: [string, string, string, unknown, number, RegExp][] = [
      ['wrong shape', 'POST', ':predict', { instances: [[1, 2, 3]] }, 400, /images/],
      ['neither key', 'POST', ':predict', { examples: [] }, 400, /instances/],
      ['both keys', 'POST', ':predict', { instances: [], inputs: [] }, 400, /only one/],
      ['unknown signature', 'POST', ':predict', { signature_name: 'classify_x', instances: [[0]] }, 400, /classify_x/],
      ['not base64', 'POST', ':predict', { instances: [{ b64: '***' }] }, 400, /base64/],
      ['unknown version', 'GET', '/versions/7', undefined, 404, /Specific\(digits, 7\)/],
      ['unknown action', 'POST', ':explain', {}, 404, /Malformed/],
    ];
    for (const [what, method, suffix, body, status, message] of cases) {
      for (const base of [direct, viaPlatform]) {
        const res = await api(base, method, suffix, body);
        assert.equal(res.status, status, `${what} at ${base}: ${JSON.stringify(res.body)}`);
        assert.deepEqual(Object.keys(res.body), ['error'], what);
        assert.match(res.body.error, message, what);
      }
    }
    const unknown = await api(t.url, 'GET', '/v1/models/no-such-service');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no-such-service/);
  });

  it('serves numbered version folders, the highest by default and any one by /versions/<n>', async () => {
    const model = await importMnist(t, 'tfs-rest', 'mnist', '2.0.0', asTwoVersions);
    const service = await deployService(t.url, { name: 'versioned', model_id: model.id });
    assert.equal(service.status, 'running', service.reason);
    const base = `${t.url}/v1/models/versioned`;
    const status = await api(base, 'GET', '');
    assert.deepEqual(status.body.model_version_status.map((v: { version: string }) => v.version), ['2', '1']);
    const instances = [scaled(digits[0].pixels)];
    const latest = await api(base, 'POST', ':predict', { instances });
    assert.ok(latest.body.predictions[0].every((p: number) => Math.abs(p - 0.1) < 1e-6), 'version 2 has zero weights: uniform');
    const first = await api(base, 'POST', '/versions/1:predict', { instances });
    assert.equal(argmax(first.body.predictions[0]), digits[0].label);
    assert.equal((await api(base, 'GET', '/versions/1/metadata')).body.model_spec.version, '1');
  });
});

describe("TF Serving's REST API with AUTH_TOKEN and app codes", function () {
  this.timeout(120_000);
  const TOKEN = 'tf-serving-token-0123';
  const APP_CODE = 'app-code-for-digits';
  let t: TestPlatform;
  let service: any;

  before(async () => {
    t = await startTestPlatform({ AUTH_TOKEN: TOKEN });
    apiDefaults.headers = { 'X-Auth-Token': TOKEN };
    const model = await importMnist(t, 'tfs-auth', 'mnist');
    service = await deployService(t.url, { name: 'guarded', model_id: model.id, app_code: APP_CODE });
    assert.equal(service.status, 'running', service.reason);
    apiDefaults.headers = {};
  });

  after(async () => {
    apiDefaults.headers = {};
    await t?.close();
  });

  it('wants the service\'s app code, on the control plane as on the service address, as /v1/infers/ does', async () => {
    const onPlatform = `${t.url}/v1/models/guarded`;
    const onService = `${service.access_address}v1/models/guarded`;
    const refused = [
      await api(onPlatform, 'GET', ''),
      await api(onPlatform, 'GET', '', undefined, { 'X-Auth-Token': TOKEN }),
      await api(onService, 'GET', ''),
      await api(onService, 'GET', '', undefined, { 'X-Apig-AppCode': 'not-the-code' }),
    ];
    for (const r of refused) {
      assert.equal(r.status, 401, JSON.stringify(r.body));
      assert.deepEqual(Object.keys(r.body), ['error']);
    }
    assert.equal((await api(onPlatform, 'GET', '', undefined, { 'X-Apig-AppCode': APP_CODE })).status, 200);
    assert.equal((await api(onService, 'GET', '', undefined, { 'X-Apig-AppCode': APP_CODE })).status, 200);
  });

  it('lets the command line through with AUTH_TOKEN and --app-code, and says why not without them', async () => {
    const dir = await tempDir('auth-digit');
    const image = path.join(dir, 'img_0.png');
    await fs.writeFile(image, testDigits([0])[0].png);
    const viaToken = await cliWithEnv({ PLATFORM_URL: t.url, AUTH_TOKEN: TOKEN }, 'predict', '--service', 'guarded', '--tf-serving', '--app-code', APP_CODE, '-i', image);
    assert.match(viaToken.lines[0], FINAL_LINE, viaToken.lines.join('\n'));
    const noToken = await cliWithEnv({ PLATFORM_URL: t.url }, 'predict', '--service', 'guarded', '-i', image);
    assert.equal(noToken.code, 1);
    assert.match(noToken.lines.join('\n'), /X-Auth-Token/);
    const direct = await cliWithEnv({ PLATFORM_URL: t.url }, 'predict', '--url', `${service.access_address}v1/models/guarded`, '--app-code', APP_CODE, '-i', image);
    assert.match(direct.lines[0], FINAL_LINE, direct.lines.join('\n'));
    const without = await cliWithEnv({ PLATFORM_URL: t.url }, 'predict', '--url', `${service.access_address}v1/models/guarded`, '-i', image);
    assert.equal(without.code, 1);
    assert.match(without.lines.join('\n'), /401/);
  });
});
