import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { loadConfig } from '../../kernel/config';
import { ObjectStore } from '../../kernel/storage/object-store';
import { api, waitFor } from '../helpers/http';
import { processAlive, createJob, waitForJob, BOOT_FILES } from '../helpers/jobs';
import { killHard, spawnPlatform, PlatformProcess } from '../helpers/process-platform';
import { tempDir } from '../helpers/platform';
import { testDigits, trainedMnistPackage } from '../helpers/mnist-model';
import { deployService, predictFile, waitForServiceWhere } from '../helpers/services';

const BIG_FILE_BYTES = 128 * 1024 * 1024;

/** The first child of a process (the platform's only long-lived child is its store). */
async function childPidOf(pid: number): Promise<number | undefined> {
  const text = await fs.readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  const first = Number(text.trim().split(/\s+/)[0]);
  return first > 0 ? first : undefined;
}

describe('durability: the platform killed with SIGKILL and started again on the same DATA_DIR', function () {
  this.timeout(180_000);
  let dataDir: string;
  let first: PlatformProcess;
  let second: PlatformProcess | undefined;

  before(async () => {
    dataDir = await tempDir('durable');
  });

  after(async () => {
    if (first) await killHard(first);
    if (second) await killHard(second);
  });

  it('marks a model failed when the platform was killed while copying its package, and refuses to deploy it', async () => {
    const dir = await tempDir('durable-import');
    const p = await spawnPlatform({ DATA_DIR: dir });
    try {
      const c = loadConfig({ DATA_DIR: dir });
      const store = new ObjectStore({ ...c.obs, endpoint: p.storageEndpoint });
      await store.ensureBucket('durable');
      await store.uploadDir(await trainedMnistPackage(), { bucket: 'durable', key: 'pkg/' });
      // A large extra file keeps the copy going long enough to be cut short.
      const big = path.join(dir, 'big.bin');
      await fs.writeFile(big, Buffer.alloc(BIG_FILE_BYTES, 7));
      await store.putFile({ bucket: 'durable', key: 'pkg/model/assets/big.bin' }, big);
      store.destroy();
      const importing = api(p.url, 'POST', '/models/import', { name: 'mnist', version: '1.0.0', url: 'obs://durable/pkg/' }).catch((err: unknown) => err);
      const model = await waitFor('the copy to start', async () => (await api(p.url, 'GET', '/models')).body.items.find((m: any) => m.status === 'publishing'), 30_000, 20);
      await killHard(p);
      await importing;
      const again = await spawnPlatform({ DATA_DIR: dir });
      try {
        const after = (await api(again.url, 'GET', `/models/${model.id}`)).body;
        assert.equal(after.status, 'failed');
        assert.match(after.reason, /the platform stopped while the package was being copied; import it again/);
        const deploy = await api(again.url, 'POST', '/services', { name: 'from-failed', model_id: model.id });
        assert.equal(deploy.status, 409);
        assert.match(deploy.body.error_msg, /is failed .*only a published model can be deployed/);
        assert.equal((await api(again.url, 'GET', '/services')).body.total, 0);
      } finally {
        await killHard(again);
      }
    } finally {
      await killHard(p);
    }
  });

  it('starts the embedded object store again when it dies, on the same address', async () => {
    const dir = await tempDir('durable-store');
    const p = await spawnPlatform({ DATA_DIR: dir });
    try {
      const storePid = await waitFor('the store process', async () => childPidOf(p.child.pid!));
      process.kill(storePid, 'SIGKILL');
      await waitFor('the store to be back', async () => {
        const health = await api(p.url, 'GET', '/health');
        return health.status === 200 && (await childPidOf(p.child.pid!)) !== storePid ? health.body : undefined;
      }, 20_000);
      assert.match(p.output(), /the embedded object store was killed by SIGKILL .*; starting it again/);
    } finally {
      await killHard(p);
    }
  });

  it('loses no record: jobs, models and services are all there, the running job is Abnormal and its process gone, services come back', async () => {
    first = await spawnPlatform({ DATA_DIR: dataDir });
    const c = loadConfig({ DATA_DIR: dataDir });
    const store = new ObjectStore({ ...c.obs, endpoint: first.storageEndpoint });
    await store.ensureBucket('durable');
    await store.putFile({ bucket: 'durable', key: 'code/quiet.js' }, `${BOOT_FILES}/ignore-sigterm.js`);
    await store.putFile({ bucket: 'durable', key: 'code/exit-3.js' }, `${BOOT_FILES}/exit-3.js`);
    await store.uploadDir(await trainedMnistPackage(), { bucket: 'durable', key: 'pkg/' });

    const body = (name: string, boot: string) => ({ name, algorithm: { engine: 'node', code_dir: 'obs://durable/code/', boot_file: boot }, train_url: `obs://durable/out/${name}/` });
    const failed = await createJob(first.url, body('finished', 'exit-3.js'));
    await waitForJob(first.url, failed.id);
    // A boot file that stays quiet outlives the platform (one that prints dies of EPIPE).
    const running = await createJob(first.url, body('running', 'quiet.js'));
    await waitForJob(first.url, running.id, ['Running']);
    const pid = await waitFor('the boot file pid', async () => (await api(first.url, 'GET', `/training-jobs/${running.id}`)).body.versions[0].pids?.[0]);
    const model = (await api(first.url, 'POST', '/models/import', { name: 'mnist', version: '1.0.0', url: 'obs://durable/pkg/' })).body;
    const service = await deployService(first.url, { name: 'durable-svc', model_id: model.id });
    assert.equal(service.status, 'running');
    const instancePid = service.instances[0].pid;
    store.destroy();

    await killHard(first);
    await waitFor('the service instance to exit with its parent', async () => (processAlive(instancePid) ? undefined : true), 10_000);
    assert.ok(processAlive(pid), 'the boot file is left over while the platform is down');

    second = await spawnPlatform({ DATA_DIR: dataDir });
    const jobs = (await api(second.url, 'GET', '/training-jobs')).body.items;
    assert.deepEqual(jobs.map((j: any) => `${j.name}:${j.status}`).sort(), ['finished:Failed', 'running:Abnormal']);
    const abnormal = jobs.find((j: any) => j.name === 'running').versions[0];
    assert.match(abnormal.reason, /platform stopped while this version was Running; its leftover process was killed/);
    await waitFor('the leftover boot file to be gone', async () => (processAlive(pid) ? undefined : true), 5000);
    assert.equal((await api(second.url, 'GET', `/models/${model.id}`)).body.status, 'published');
    const back = await waitForServiceWhere(second!.url, service.id, 'the service to run again', (s: any) => s.status === 'running');
    assert.equal(back.access_address, service.access_address);
    const digit = testDigits([0])[0];
    const res = await predictFile(back.access_address, digit.png);
    assert.equal(res.status, 200);
    const log = (await api(second.url, 'GET', `/training-jobs/${running.id}/logs`)).body;
    assert.match(log, /started, ignoring SIGTERM/);
  });
});
