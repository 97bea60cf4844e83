import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api, waitFor } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { StoreProcess } from '../helpers/store-process';
import { trainedMnistPackage, uploadFolder, testDigits } from '../helpers/mnist-model';
import { deployService, predictFile, waitForService } from '../helpers/services';

const BUCKET = 'faults';
const CODE = `obs://${BUCKET}/code/`;

describe('faults: the object store goes away and comes back', function () {
  this.timeout(240_000);
  let store: StoreProcess;
  let t: TestPlatform;

  before(async () => {
    store = new StoreProcess(await tempDir('fault-store'));
    await store.start();
    t = await startTestPlatform({ ...store.env(), MAX_CONCURRENT_JOBS: '1' });
    await uploadCode(t.store, CODE, ['hang.js', 'sleep-then-write.js']);
    await uploadFolder(t.store, await trainedMnistPackage(), `obs://${BUCKET}/pkg/`);
  });

  after(async () => {
    await t?.close();
    await store?.kill();
  });

  const job = (name: string, boot: string, ms = '100') => ({
    name,
    algorithm: { engine: 'node', code_dir: CODE, boot_file: boot, parameters: [{ name: 'ms', value: ms }] },
    data_url: `obs://${BUCKET}/code/`,
    train_url: `obs://${BUCKET}/out/${name}/`,
  });

  async function storeDownWhile(work: () => Promise<void>): Promise<void> {
    await store.kill();
    try {
      await work();
    } finally {
      await store.start();
    }
  }

  it('fails a job whose inputs cannot be downloaded, with the reason, after retrying', async () => {
    const blocker = await createJob(t.url, job('blocker', 'hang.js'));
    await waitForJob(t.url, blocker.id, ['Running']);
    const waiting = await createJob(t.url, job('download-fails', 'sleep-then-write.js'));
    assert.equal(waiting.status, 'Pending');
    await storeDownWhile(async () => {
      await api(t.url, 'POST', `/training-jobs/${blocker.id}/stop`);
      const done = await waitForJob(t.url, waiting.id);
      assert.equal(done.status, 'Failed');
      assert.match(done.versions[0].reason, /the object store is unavailable \(ECONNREFUSED\)/);
    });
    const again = await createJob(t.url, job('download-works', 'sleep-then-write.js'));
    assert.equal((await waitForJob(t.url, again.id)).status, 'Completed');
  });

  it('fails a job whose outputs cannot be uploaded, with the reason', async () => {
    const slow = await createJob(t.url, job('upload-fails', 'sleep-then-write.js', '2500'));
    await waitFor('the boot file to run', async () => ((await api(t.url, 'GET', `/training-jobs/${slow.id}`)).body.versions[0].stage === 'running' ? true : undefined));
    await storeDownWhile(async () => {
      const done = await waitForJob(t.url, slow.id);
      assert.equal(done.status, 'Failed');
      assert.equal(done.versions[0].exit_code, 0, 'the boot file itself succeeded');
      assert.match(done.versions[0].reason, /the outputs could not be uploaded to obs:\/\/faults\/out\/upload-fails\/V0001\/: cannot write .*result\.txt: the object store is unavailable/);
    });
    const again = await createJob(t.url, job('upload-works', 'sleep-then-write.js'));
    assert.equal((await waitForJob(t.url, again.id)).status, 'Completed');
    assert.ok(await t.store.head({ bucket: BUCKET, key: 'out/upload-works/V0001/result.txt' }));
  });

  it('refuses an import with 503 and records nothing while the store is down; imports work once it is back', async () => {
    await storeDownWhile(async () => {
      const res = await api(t.url, 'POST', '/models/import', { name: 'mnist', version: '1.0.0', url: `obs://${BUCKET}/pkg/` });
      assert.equal(res.status, 503);
      assert.equal(res.body.error_code, 'ModelArts.0501');
      assert.equal((await api(t.url, 'GET', '/models')).body.total, 0);
      const health = await api(t.url, 'GET', '/health');
      assert.equal(health.status, 503);
      assert.equal(health.body.storage.reachable, false);
    });
    const res = await api(t.url, 'POST', '/models/import', { name: 'mnist', version: '1.0.0', url: `obs://${BUCKET}/pkg/` });
    assert.equal(res.status, 201);
  });

  it('fails a deploy that needs the store while it is down, and deploys once it is back', async () => {
    const model = (await api(t.url, 'GET', '/models?name=mnist')).body.items[0];
    // The platform keeps a local copy of each package; without it a deploy reads the store.
    await fs.rm(path.join(t.dataDir, 'models', model.id), { recursive: true, force: true });
    let id = '';
    await storeDownWhile(async () => {
      const s = await deployService(t.url, { name: 'needs-store', model_id: model.id });
      id = s.id;
      assert.equal(s.status, 'failed');
      assert.match(s.reason, /deploy failed: cannot \w+ obs:\/\/modelarts-local-system\/models\/.*: the object store is unavailable/);
    });
    await api(t.url, 'POST', `/services/${id}/deploy`);
    const running = await waitForService(t.url, id, ['running', 'failed']);
    assert.equal(running.status, 'running', running.reason);
    assert.equal((await predictFile(running.access_address, testDigits([0])[0].png)).status, 200);
  });
});
