import assert from 'node:assert/strict';
import path from 'node:path';
import { PNG } from 'pngjs';
import { repoPath } from '../../kernel/paths';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { compute } from '../../compute/tf';
import { loadModelFrom } from '../../compute/model-io';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { testDigits, uploadFolder, uploadMnistData } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';

const BUCKET = 'samples-ae';
const CODE = `obs://${BUCKET}/code/`;
const MNIST = `obs://${BUCKET}/mnist/`;
/** Short runs: the first images only, so an epoch takes a moment. */
const SMALL = [
  { name: 'train_limit', value: 1000 },
  { name: 'test_limit', value: 500 },
];

describe('the autoencoder + classifier sample: resumable training, two inputs, one package with two models', function () {
  this.timeout(300_000);
  let t: TestPlatform;
  let ae: any;
  let resumed: any;

  before(async () => {
    t = await startTestPlatform();
    await uploadMnistData(t.store, MNIST);
    await uploadFolder(t.store, repoPath('samples', 'autoencoder-classifier', 'code'), CODE);
  });

  after(async () => t?.close());

  const epochsOf = async (id: string, version: string) =>
    (await api(t.url, 'GET', `/training-jobs/${id}/metrics?version=${version}`)).body.metrics.map((m: any) => m.epoch);
  const log = async (id: string, version: string) => (await api(t.url, 'GET', `/training-jobs/${id}/logs?version=${version}`)).body as string;
  const keysUnder = async (url: string) => (await t.store.listAll(parseObsUrl(url))).map((o) => o.key.slice(parseObsUrl(url).key.length));

  /** The epochs of the complete checkpoints a version left in its outputs. */
  async function savedEpochs(outputUrl: string): Promise<number[]> {
    const keys = await keysUnder(outputUrl);
    return keys.map((k) => /^checkpoints\/epoch-(\d+)\/checkpoint\.json$/.exec(k)?.[1]).filter((e) => e !== undefined).map(Number);
  }

  it('stops the autoencoder mid-way and continues in a new version from the epoch it saved', async () => {
    const bad = await api(t.url, 'POST', '/training-jobs', {
      name: 'x',
      algorithm: { engine: 'tfjs', code_dir: CODE, boot_file: 'train_autoencoder.js' },
      outputs: [{ name: 'train_url', url: `obs://${BUCKET}/x/`, prefetch_to_local: 'yes' }],
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].path, 'outputs[0].prefetch_to_local');

    ae = await createJob(t.url, {
      name: 'autoencoder',
      algorithm: { engine: 'tfjs', code_dir: CODE, boot_file: 'train_autoencoder.js', parameters: [{ name: 'epochs', value: 100 }, ...SMALL] },
      data_url: MNIST,
      outputs: [{ name: 'train_url', url: `obs://${BUCKET}/autoencoder/`, prefetch_to_local: true }],
    });
    assert.equal(ae.outputs[0].prefetch_to_local, true);
    await waitFor('two epochs of V0001', async () => ((await epochsOf(ae.id, 'V0001')).length >= 2 ? true : undefined), 120_000, 200);
    assert.equal((await api(t.url, 'POST', `/training-jobs/${ae.id}/stop`)).status, 200);
    const v1 = (await waitForJob(t.url, ae.id, ['Terminated', 'Failed', 'Completed'])).versions[0];
    assert.equal(v1.status, 'Terminated', v1.reason);
    const saved = Math.max(...(await savedEpochs(v1.output_urls[0].url)));
    assert.ok(saved >= 2 && saved < 100, `V0001 saved checkpoints up to epoch ${saved}`);

    const started = await api(t.url, 'POST', `/training-jobs/${ae.id}/versions`, { parameters: [{ name: 'epochs', value: saved + 2 }] });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    const v2 = (await waitForJob(t.url, ae.id, undefined, 'V0002')).versions[1];
    assert.equal(v2.status, 'Completed', v2.reason);
    assert.equal(v2.prefetched.length, 1);
    assert.deepEqual([v2.prefetched[0].name, v2.prefetched[0].from], ['train_url', v1.output_urls[0].url]);
    assert.ok(v2.prefetched[0].files >= 5, `${v2.prefetched[0].files} files prefetched`);
    assert.match(await log(ae.id, 'V0002'), new RegExp(`resuming from the checkpoint of epoch ${saved} \\(epoch-${String(saved).padStart(4, '0')}\\)`));
    assert.deepEqual(await epochsOf(ae.id, 'V0002'), [saved + 1, saved + 2]);
    resumed = v2;

    const keys = await keysUnder(v2.output_urls[0].url);
    assert.ok(keys.includes(`checkpoints/epoch-${String(saved + 2).padStart(4, '0')}/weights.bin`));
    assert.deepEqual(keys.filter((k) => k.startsWith('logs/')), ['logs/autoencoder-V0002.log'], 'the earlier log is not carried over');
    const grid = PNG.sync.read(await t.store.getBuffer(parseObsUrl(`${v2.output_urls[0].url}reconstructions.png`), 1e6));
    assert.deepEqual([grid.width, grid.height], [280, 56], 'ten test digits above their reconstructions');
  });

  it('starts from fresh weights with --rebuild=true', async () => {
    await api(t.url, 'POST', `/training-jobs/${ae.id}/versions`, { parameters: [{ name: 'rebuild', value: true }, { name: 'epochs', value: 1 }] });
    const v3 = (await waitForJob(t.url, ae.id, undefined, 'V0003')).versions[2];
    assert.equal(v3.status, 'Completed', v3.reason);
    assert.equal(v3.prefetched[0].from, resumed.output_urls[0].url);
    assert.match(await log(ae.id, 'V0003'), /--rebuild: starting from fresh weights; earlier checkpoints removed/);
    assert.deepEqual(await epochsOf(ae.id, 'V0003'), [1]);
    assert.deepEqual(await savedEpochs(v3.output_urls[0].url), [1]);
  });

  it('trains the classifier on the autoencoder job\'s output as a second input, and serves both models from one package', async () => {
    const cl = await createJob(t.url, {
      name: 'classifier',
      algorithm: { engine: 'tfjs', code_dir: CODE, boot_file: 'train_classifier.js', parameters: [{ name: 'epochs', value: 2 }, ...SMALL] },
      inputs: [
        { name: 'data_url', url: MNIST },
        { name: 'autoencoder_url', url: resumed.output_urls[0].url },
      ],
      train_url: `obs://${BUCKET}/classifier/`,
    });
    const v = (await waitForJob(t.url, cl.id)).versions[0];
    assert.equal(v.status, 'Completed', v.reason);
    assert.deepEqual(await epochsOf(cl.id, 'V0001'), [1, 2]);
    assert.ok(v.last_metrics.accuracy >= 0 && v.last_metrics.accuracy <= 1);

    const model = await api(t.url, 'POST', '/models/import', { name: 'autoencoder-classifier', version: '1.0.0', training_job_id: cl.id });
    assert.equal(model.status, 201, JSON.stringify(model.body));
    assert.deepEqual(model.body.models.map((m: any) => m.path).sort(), ['autoencoder', 'classifier']);
    const service = await deployService(t.url, { name: 'autoencoder-classifier', model_id: model.body.id });
    assert.equal(service.status, 'running', service.reason);

    const chain = await offlineChain(t, `${v.output_urls[0].url}model/`);
    for (const d of testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])) {
      const multipart = await predictFile(service.access_address, d.png, { fileName: `mnist-${d.index}.png` });
      assert.equal(multipart.status, 200, JSON.stringify(multipart.body));
      assert.equal(multipart.headers.get('x-response-schema-mismatch'), null);
      const json = await api(service.access_address, 'POST', '', { image: d.png.toString('base64') });
      assert.deepEqual(json.body, multipart.body, 'the same digit as multipart and as base64 JSON');
      const expected = await chain(Array.from(d.pixels, (p) => p / 255));
      assert.equal(multipart.body.predicted_label, String(expected.label), `digit ${d.index}: the classifier's reading of the autoencoder's output`);
      assert.ok(Math.abs(multipart.body.reconstruction_mse - expected.mse) < 1e-5, `digit ${d.index}: mse ${multipart.body.reconstruction_mse} vs ${expected.mse}`);
    }
  });
});

/** Both models of the job's package, loaded in this process: image → autoencoder → classifier. */
async function offlineChain(t: TestPlatform, packageUrl: string): Promise<(pixels: number[]) => Promise<{ label: number; mse: number }>> {
  const dir = await tempDir('ae-package');
  await t.store.downloadPrefix(parseObsUrl(packageUrl), dir);
  const { tf } = await compute();
  const autoencoder = await loadModelFrom(path.join(dir, 'autoencoder'), tf);
  const classifier = await loadModelFrom(path.join(dir, 'classifier'), tf);
  return async (pixels) => {
    const { reconstruction } = await autoencoder.predict({ images: [pixels] });
    const cleaned = (reconstruction as number[][])[0];
    const scores = ((await classifier.predict({ images: [cleaned] })).scores as number[][])[0];
    const mse = cleaned.reduce((sum, v, i) => sum + (v - pixels[i]) ** 2, 0) / pixels.length;
    return { label: scores.indexOf(Math.max(...scores)), mse };
  };
}
