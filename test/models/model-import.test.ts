import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { MNIST_BOOT, trainedMnistPackage, uploadFolder, uploadMnistCode, uploadMnistData } from '../helpers/mnist-model';

const BUCKET = 'models-test';

describe('model import', function () {
  this.timeout(180_000);
  let t: TestPlatform;
  let trained: string;

  before(async () => {
    t = await startTestPlatform();
    trained = await trainedMnistPackage();
    await uploadFolder(t.store, trained, `obs://${BUCKET}/good/`);
  });

  after(async () => t?.close());

  /** A copy of the trained package with `change` applied, uploaded under obs://models-test/<name>/. */
  async function variant(name: string, change: (modelDir: string) => Promise<void>): Promise<string> {
    const dir = await tempDir(`pkg-${name}`);
    await fs.cp(trained, dir, { recursive: true });
    await change(path.join(dir, 'model'));
    return uploadFolder(t.store, dir, `obs://${BUCKET}/${name}/`);
  }

  async function modelCount(): Promise<number> {
    return (await api(t.url, 'GET', '/models')).body.total;
  }

  describe('POST /models/validate', () => {
    it('accepts the MNIST sample config.json and lists no warnings', async () => {
      const text = await fs.readFile(path.join(trained, 'model', 'config.json'), 'utf8');
      const res = await api(t.url, 'POST', '/models/validate', text);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body, { valid: true, warnings: [] });
    });

    it('accepts "procotol" with a warning that says what to write', async () => {
      const res = await api(t.url, 'POST', '/models/validate', {
        model_type: 'TensorFlow',
        model_algorithm: 'image_classification',
        apis: [{ procotol: 'http', url: '/', method: 'post', request: { 'Content-type': 'application/json', data: { type: 'object' } }, response: { 'Content-type': 'application/json', data: { type: 'object' } } }],
      });
      assert.equal(res.status, 200);
      assert.equal(res.body.valid, true);
      assert.ok(res.body.warnings.some((w: any) => /protocol/.test(w.message) && /procotol/.test(w.path)));
    });

    it('lists every problem of an invalid config.json with its path', async () => {
      const res = await api(t.url, 'POST', '/models/validate', { model_type: 'Keras', apis: [{ url: '/predict', request: { 'Content-type': 'text/plain' } }] });
      assert.equal(res.status, 400);
      assert.equal(res.body.valid, false);
      const paths = res.body.errors.map((e: any) => e.path);
      for (const p of ['model_algorithm', 'model_type', 'apis[0].url', 'apis[0].request.Content-type']) assert.ok(paths.includes(p), `${p} in ${paths}`);
    });

    it('points at the line and column of a config.json that is not JSON', async () => {
      const res = await api(t.url, 'POST', '/models/validate', '{\n  "model_type": "TensorFlow",\n  // a comment\n}');
      assert.equal(res.status, 400);
      assert.match(res.body.errors[0].message, /line 3, column 3/);
    });
  });

  describe('POST /models/import', () => {
    it('imports a package from a bucket folder, with its config, signature, size and hash', async () => {
      const res = await api(t.url, 'POST', '/models/import', { name: 'mnist-obs', version: '1.0.0', url: `obs://${BUCKET}/good/` });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      const m = res.body;
      assert.equal(m.status, 'published');
      assert.equal(m.model_type, 'TensorFlow');
      assert.equal(m.model_algorithm, 'image_classification');
      assert.equal(m.hook_file, 'customize_service.js');
      assert.deepEqual(m.models[0].inputs, [{ name: 'images', dtype: 'float32', shape: [null, 784] }]);
      assert.equal(m.models[0].outputs[0].name, 'scores');
      assert.match(m.content_hash, /^sha256:[0-9a-f]{64}$/);
      assert.ok(m.size_bytes > 30_000);
      assert.deepEqual(m.source, { type: 'obs', url: `obs://${BUCKET}/good/` });
      const copied = await t.store.listAll(parseObsUrl(m.package_url));
      assert.deepEqual(copied.map((o) => o.key.split('/model/')[1]).sort(), ['config.json', 'customize_service.js', 'model.json', 'weights.bin']);
      const got = await api(t.url, 'GET', `/models/${m.id}`);
      assert.equal(got.body.config.apis[0].request['Content-type'], 'multipart/form-data');
      assert.equal((await api(t.url, 'GET', '/models?name=mnist-obs')).body.total, 1);
    });

    it('keeps its own copy: changing the source folder afterwards changes nothing of the model', async () => {
      const src = await variant('mutable', async () => undefined);
      const first = (await api(t.url, 'POST', '/models/import', { name: 'mnist-copy', version: '1.0.0', url: src })).body;
      await t.store.put({ bucket: BUCKET, key: 'mutable/model/weights.bin' }, Buffer.alloc(31400));
      await t.store.put({ bucket: BUCKET, key: 'mutable/model/config.json' }, '{}');
      const again = (await api(t.url, 'GET', `/models/${first.id}`)).body;
      assert.equal(again.content_hash, first.content_hash);
      const weights = await t.store.getBuffer(parseObsUrl(`${first.package_url}weights.bin`), 1e6);
      const original = await fs.readFile(path.join(trained, 'model', 'weights.bin'));
      assert.ok(weights.equals(original));
    });

    it('imports the latest Completed version of a training job by its id', async () => {
      await uploadMnistData(t.store, `obs://${BUCKET}/dataset-mnist/`);
      await uploadMnistCode(t.store, `obs://${BUCKET}/mnist-code/`);
      const job = await createJob(t.url, {
        name: 'mnist-for-import',
        algorithm: { engine: 'tfjs', code_dir: `obs://${BUCKET}/mnist-code/`, boot_file: MNIST_BOOT, parameters: [{ name: 'max_steps', value: '20' }] },
        data_url: `obs://${BUCKET}/dataset-mnist/`,
        train_url: `obs://${BUCKET}/mnist-output/`,
      });
      const done = await waitForJob(t.url, job.id);
      assert.equal(done.status, 'Completed', done.versions[0].reason);
      const res = await api(t.url, 'POST', '/models/import', { name: 'mnist-job', version: '0.1.0', training_job_id: job.id });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      assert.deepEqual(res.body.source, {
        type: 'training_job',
        training_job_id: job.id,
        training_job_name: 'mnist-for-import',
        training_job_version: 'V0001',
        url: `obs://${BUCKET}/mnist-output/V0001/`,
      });
      assert.ok(res.body.metrics.accuracy > 0.5, 'the boot file wrote its test accuracy into config.json');
    });

    it('refuses a second import of the same name and version with 409', async () => {
      const res = await api(t.url, 'POST', '/models/import', { name: 'mnist-obs', version: '1.0.0', url: `obs://${BUCKET}/good/` });
      assert.equal(res.status, 409);
      assert.match(res.body.error_msg, /mnist-obs 1\.0\.0 exists already/);
    });

    const refusals: [string, (dir: string) => Promise<void>, RegExp][] = [
      ['no-config', (d) => fs.rm(path.join(d, 'config.json')), /config\.json does not exist/],
      ['no-weights', (d) => fs.rm(path.join(d, 'weights.bin')), /no-weights\/model\/model\.json cannot be loaded: weight file "weights\.bin" does not exist$/],
      ['no-model', async (d) => { await fs.rm(path.join(d, 'weights.bin')); await fs.rm(path.join(d, 'model.json')); }, /holds no model files/],
      ['no-hook', (d) => fs.rm(path.join(d, 'customize_service.js')), /has no customize_service\.js .*multipart\/form-data/],
      ['saved-model', async (d) => { await fs.rm(path.join(d, 'model.json')); await fs.writeFile(path.join(d, 'saved_model.pb'), 'x'); }, /saved-model\/model\/saved_model\.pb is not a SavedModel: /],
      ['keras', async (d) => { await fs.rm(path.join(d, 'model.json')); await fs.writeFile(path.join(d, 'cnnModel.h5'), 'not hdf5'); }, /keras\/model\/cnnModel\.h5 is neither HDF5 nor a \.keras zip/],
      ['mxnet', (d) => editConfig(d, (c) => (c.model_type = 'MXNet')), /model_type MXNet cannot be served here; supported: TensorFlow/],
      ['bad-config', (d) => editConfig(d, (c) => (c.apis[0].url = '/predict')), /config\.json is not valid/],
      ['two-models-no-hook', twoModelsWithoutHook, /holds 2 models \(first, second\) and no customize_service\.js .*only inference code can say how they combine/],
    ];
    for (const [name, change, message] of refusals) {
      it(`refuses a package with ${name} with a 400 that says why, and records nothing`, async () => {
        const before = await modelCount();
        const url = await variant(name, change);
        const res = await api(t.url, 'POST', '/models/import', { name: `m-${name}`, version: '1.0.0', url });
        assert.equal(res.status, 400, JSON.stringify(res.body));
        assert.match(res.body.error_msg, message);
        assert.equal(await modelCount(), before);
      });
    }

    it('refuses a source folder that does not exist, a job that has not completed, and bad bodies', async () => {
      const missing = await api(t.url, 'POST', '/models/import', { name: 'nothing', version: '1.0.0', url: `obs://${BUCKET}/nothing-here/` });
      assert.equal(missing.status, 400);
      assert.match(missing.body.error_msg, /obs:\/\/models-test\/nothing-here\/model\/ is empty or does not exist/);
      const version = await api(t.url, 'POST', '/models/import', { name: 'x', version: '01.0.0', url: `obs://${BUCKET}/good/` });
      assert.equal(version.status, 400);
      assert.equal(version.body.errors[0].path, 'version');
      const both = await api(t.url, 'POST', '/models/import', { name: 'x', version: '1.0.0', url: `obs://${BUCKET}/good/`, training_job_id: 'abc' });
      assert.equal(both.status, 400);
      const noJob = await api(t.url, 'POST', '/models/import', { name: 'x', version: '1.0.0', training_job_id: 'no-such-job' });
      assert.equal(noJob.status, 404);
    });

    it('deletes a model that no service uses, with its copy', async () => {
      const m = (await api(t.url, 'POST', '/models/import', { name: 'to-delete', version: '1.0.0', url: `obs://${BUCKET}/good/` })).body;
      assert.equal((await api(t.url, 'DELETE', `/models/${m.id}`)).status, 204);
      assert.equal((await api(t.url, 'GET', `/models/${m.id}`)).status, 404);
      assert.deepEqual(await t.store.listAll(parseObsUrl(m.package_url)), []);
    });
  });
});

async function editConfig(dir: string, edit: (config: any) => void): Promise<void> {
  const file = path.join(dir, 'config.json');
  const config = JSON.parse(await fs.readFile(file, 'utf8'));
  edit(config);
  await fs.writeFile(file, JSON.stringify(config));
}

/** The model twice, in model/first/ and model/second/, with a JSON API and no hook. */
async function twoModelsWithoutHook(dir: string): Promise<void> {
  for (const sub of ['first', 'second']) {
    await fs.mkdir(path.join(dir, sub));
    for (const f of ['model.json', 'weights.bin']) await fs.copyFile(path.join(dir, f), path.join(dir, sub, f));
  }
  for (const f of ['model.json', 'weights.bin', 'customize_service.js']) await fs.rm(path.join(dir, f));
  await editConfig(dir, (c) => (c.apis[0].request = { 'Content-type': 'application/json', data: { type: 'object' } }));
}
