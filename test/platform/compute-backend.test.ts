import assert from 'node:assert/strict';
import path from 'node:path';
import { loadConfig } from '../../kernel/config';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { ObjectStore } from '../../kernel/storage/object-store';
import { gzipMnistTo } from '../../samples/mnist/dataset';
import { nativeUnavailable } from '../compute/helpers/native';
import { api } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { tempDir } from '../helpers/platform';
import { killHard, spawnPlatform } from '../helpers/process-platform';

const BUCKET = 'compute-backend';

/** Starts `npm start` with `env`, runs the tiny training job, and returns the banner, /health and the job's log. */
async function platformRun(env: Record<string, string>): Promise<{ banner: string; health: any; log: string }> {
  const dataDir = await tempDir('compute');
  const p = await spawnPlatform({ DATA_DIR: dataDir, ...env });
  try {
    const store = new ObjectStore({ ...loadConfig({ DATA_DIR: dataDir }).obs, endpoint: p.storageEndpoint });
    await uploadCode(store, `obs://${BUCKET}/code/`, ['tiny-tfjs-train.js']);
    for (const file of (await gzipMnistTo(await tempDir('mnist-gz'))).filter((f) => path.basename(f).startsWith('train-'))) {
      await store.putFile({ ...parseObsUrl(`obs://${BUCKET}/data/`), key: `data/${path.basename(file)}` }, file);
    }
    store.destroy();
    const created = await createJob(p.url, {
      name: 'which-backend',
      algorithm: { engine: 'tfjs', code_dir: `obs://${BUCKET}/code/`, boot_file: 'tiny-tfjs-train.js', parameters: [{ name: 'max_steps', value: 2 }] },
      data_url: `obs://${BUCKET}/data/`,
      train_url: `obs://${BUCKET}/out/`,
    });
    const done = await waitForJob(p.url, created.id);
    assert.equal(done.status, 'Completed', JSON.stringify(done.versions[0]));
    const log = (await api(p.url, 'GET', `/training-jobs/${created.id}/logs`)).body as string;
    const health = (await api(p.url, 'GET', '/health')).body;
    return { banner: p.output(), health, log };
  } finally {
    await killHard(p);
  }
}

describe('the compute backend: chosen once, said at start-up, in /health, and used by jobs', function () {
  this.timeout(180_000);

  it('without the native addon falls back to wasm, says why once at start-up and in /health, and trains jobs on wasm', async () => {
    const { banner, health, log } = await platformRun({ COMPUTE_ADDON: 'off' });
    assert.match(banner, /compute {9}wasm \(tfjs WebAssembly backend, one thread\)\n {18} {2}not native: the native addon is switched off \(COMPUTE_ADDON=off\)/);
    assert.equal(banner.match(/switched off/g)?.length, 1, 'said once');
    assert.equal(health.compute.backend, 'wasm');
    assert.deepEqual(health.compute.notes, ['native: the native addon is switched off (COMPUTE_ADDON=off)']);
    assert.match(log, /with backend wasm/);
  });

  it('with the native addon computes natively in the platform and in its jobs, and /health names the libraries', async function () {
    const why = nativeUnavailable();
    if (why) this.skip();
    const { banner, health, log } = await platformRun({});
    assert.match(banner, /compute {9}native \(oneDNN \d+\.\d+\.\d+, OpenBLAS \d+\.\d+\.\d+; up to \d+ threads\)/);
    assert.equal(health.compute.backend, 'native');
    assert.match(health.compute.description, /^native \(oneDNN /);
    assert.deepEqual(health.compute.notes, []);
    assert.match(log, /with backend native/);
  });
});
