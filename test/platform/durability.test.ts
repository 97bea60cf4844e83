import assert from 'node:assert/strict';
import { loadConfig } from '../../platform/config';
import { ObjectStore } from '../../platform/storage/object-store';
import { api, waitFor } from '../helpers/http';
import { processAlive, createJob, waitForJob, BOOT_FILES } from '../helpers/jobs';
import { killHard, spawnPlatform, PlatformProcess } from '../helpers/process-platform';
import { tempDir } from '../helpers/platform';
import { testDigits, trainedMnistPackage } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';

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

  it('loses no record: jobs, models and services are all there, the running job is Abnormal and its process gone, services come back', async () => {
    first = await spawnPlatform({ DATA_DIR: dataDir });
    const c = loadConfig({ DATA_DIR: dataDir });
    const store = new ObjectStore({ ...c.obs, endpoint: first.storageEndpoint });
    await store.ensureBucket('durable');
    await store.putFile({ bucket: 'durable', key: 'code/quiet.js' }, `${BOOT_FILES}/ignore-sigterm.js`);
    await store.putFile({ bucket: 'durable', key: 'code/exit-3.js' }, `${BOOT_FILES}/exit-3.js`);
    await store.uploadDir(await trainedMnistPackage(), { bucket: 'durable', key: 'pkg/' });

    const body = (name: string, boot: string) => ({ name, algorithm: { engine: 'node', code_dir: 'obs://durable/code/', boot_file: boot }, train_url: 'obs://durable/out/' });
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
    const back = await waitFor('the service to run again', async () => {
      const s = (await api(second!.url, 'GET', `/services/${service.id}`)).body;
      return s.status === 'running' ? s : undefined;
    });
    assert.equal(back.access_address, service.access_address);
    const digit = testDigits([0])[0];
    const res = await predictFile(back.access_address, digit.png);
    assert.equal(res.status, 200);
    const log = (await api(second.url, 'GET', `/training-jobs/${running.id}/logs`)).body;
    assert.match(log, /started, ignoring SIGTERM/);
  });
});
