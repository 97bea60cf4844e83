import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { MNIST_BOOT, testDigits, uploadMnistCode, uploadMnistData } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { sharedFixture } from '../helpers/shared-fixtures';

const BUCKET = 'test-modelarts';
const fixture = sharedFixture('modelarts-hooks');

/**
 * ModelArts' own tutorial inference code, customize_service.py and config.json exactly
 * as its documentation publishes them (read from the shared fixtures, never copied into
 * the repository), on a model that the tutorial's training job trained here.
 */
describe("the ModelArts tutorial's own customize_service.py and config.json", function () {
  this.timeout(240_000);
  let t: TestPlatform;
  let hookFile: string;
  let configFile: string;
  let model: any;

  before(async function () {
    if (!fixture.dir) {
      console.log(`    skipped: ${fixture.absent}`);
      return this.skip();
    }
    hookFile = path.join(fixture.dir, 'mnist-tutorial', 'customize_service.py');
    configFile = path.join(fixture.dir, 'mnist-tutorial', 'config.json');
    t = await startTestPlatform();
    await uploadMnistData(t.store, `obs://${BUCKET}/mnist/dataset-mnist/`);
    await uploadMnistCode(t.store, `obs://${BUCKET}/mnist/mnist-tensorflow-code/`);
    const job = await createJob(t.url, {
      name: 'trainjob-mnist',
      algorithm: { engine: 'tfjs', code_dir: `obs://${BUCKET}/mnist/mnist-tensorflow-code/`, boot_file: MNIST_BOOT, parameters: [{ name: 'max_steps', value: '200' }] },
      data_url: `obs://${BUCKET}/mnist/dataset-mnist/`,
      train_url: `obs://${BUCKET}/mnist/mnist-model/`,
    });
    const done = await waitForJob(t.url, job.id);
    assert.equal(done.versions[0].status, 'Completed', done.versions[0].reason);
    // The tutorial's package: the trained model files, its customize_service.py and config.json.
    const trained = { bucket: BUCKET, key: 'mnist/mnist-model/V0001/model/' };
    for (const o of await t.store.listAll(trained)) {
      const name = o.key.slice(trained.key.length);
      if (name === 'model.json' || name.endsWith('.bin')) await t.store.copy({ bucket: BUCKET, key: o.key }, { bucket: BUCKET, key: `mnist/python-package/model/${name}` });
    }
    await t.store.putFile({ bucket: BUCKET, key: 'mnist/python-package/model/customize_service.py' }, hookFile);
    await t.store.putFile({ bucket: BUCKET, key: 'mnist/python-package/model/config.json' }, configFile);
    const res = await api(t.url, 'POST', '/models/import', { name: 'mnist-tutorial-python', version: '1.0.0', url: `obs://${BUCKET}/mnist/python-package/` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    model = res.body;
  });

  after(async () => t?.close());

  it('imports the package with its customize_service.py', async () => {
    assert.equal(model.hook_file, 'customize_service.py');
    const copied = await t.store.getBuffer({ bucket: t.config.obs.systemBucket, key: `models/${model.id}/model/customize_service.py` }, 1e6);
    assert.deepEqual(copied, await fs.readFile(hookFile), 'the hook is kept byte for byte');
  });

  /**
   * What the tutorial's _postprocess makes of the model's scores, in JavaScript: the
   * first top label, each score as '%.3f', the five largest strings (a stable sort).
   */
  function tutorialAnswer(scores: number[]): { predicted_label: string; scores: [string, string][] } {
    const label = scores.indexOf(Math.max(...scores));
    const pairs = scores.map((s, i): [string, string] => [String(i), s.toFixed(3)]);
    const ranked = [...pairs].sort((a, b) => (a[1] < b[1] ? 1 : a[1] > b[1] ? -1 : 0)).slice(0, 5);
    return { predicted_label: String(label), scores: ranked };
  }

  /** The model's own answer for a digit fed as the tutorial feeds it: raw 0-255 pixels, 1x784. */
  async function modelScores(service: any, pixels: Uint8Array): Promise<number[]> {
    const res = await api(t.url, 'POST', `/v1/models/${service.name}:predict`, { inputs: { images: [Array.from(pixels)] } });
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body.outputs[0];
  }

  let service: any;
  const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

  it('deploys it: tensorflow is the platform\'s, numpy, h5py and Pillow import in the worker\'s Python', async () => {
    service = await deployService(t.url, { name: 'mnist-tutorial-python', model_id: model.id });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
    const events = service.events.map((e: any) => e.message).join('\n');
    assert.match(events, /hook customize_service\.py \(class mnist_service; Python 3\.\d+\.\d+ at /);
    assert.match(events, /config\.json lists tensorflow>=1\.8\.0: provided by the platform/);
  });

  it('answers predicted_label and the top-5 scores as the published hook writes them (strings with three decimals)', async () => {
    // The documentation's _postprocess ends with `return outputs`; where the fixture's copy
    // lacks that last line, it is added here (in the package only), as the page has it.
    const text = await fs.readFile(hookFile, 'utf8');
    const published = /\n\s+return outputs\s*$/.test(text) ? text : `${text.trimEnd()}\n\n    return outputs\n`;
    await t.store.put({ bucket: BUCKET, key: 'mnist/python-package/model/customize_service.py' }, published);
    const res = await api(t.url, 'POST', '/models/import', { name: 'mnist-tutorial-python', version: '1.0.1', url: `obs://${BUCKET}/mnist/python-package/` });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    const s = await deployService(t.url, { name: 'mnist-tutorial-published', model_id: res.body.id });
    assert.equal(s.status, 'running', JSON.stringify(s.events));
    let right = 0;
    for (const d of digits) {
      const got = await predictFile(`${t.url}/v1/infers/${s.id}/`, d.png, { fileName: `img_${d.index}.png` });
      assert.equal(got.status, 200, JSON.stringify(got.body));
      assert.deepEqual(got.body, tutorialAnswer(await modelScores(s, d.pixels)));
      assert.ok(got.body.scores.every(([, score]: string[]) => /^\d\.\d{3}$/.test(score)));
      if (got.body.predicted_label === String(d.label)) right++;
    }
    assert.ok(right >= 8, `${right} of 10 test digits right on raw 0-255 pixels`);
  });

  it('runs the fixture byte for byte, and says so when its _postprocess returns nothing', async () => {
    const text = await fs.readFile(hookFile, 'utf8');
    const returns = /\n\s+return outputs\s*$/.test(text);
    for (const d of digits.slice(0, 3)) {
      const got = await predictFile(service.access_address, d.png, { fileName: `img_${d.index}.png` });
      assert.equal(got.status, 200, JSON.stringify(got.body));
      // Without `return outputs`, Python returns None: ModelArts answers null, and so does this.
      assert.deepEqual(got.body, returns ? tutorialAnswer(await modelScores(service, d.pixels)) : null);
    }
    if (!returns) {
      const events = await waitFor('the warning event', async () => {
        const all = (await api(t.url, 'GET', `/services/${service.id}`)).body.events.map((e: any) => e.message).join('\n');
        return /returned None/.test(all) ? all : undefined;
      });
      assert.match(events, /_postprocess returned None, so the answer is null; does it end without a return statement\?/);
    }
  });
});
