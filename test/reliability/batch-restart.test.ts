import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { EMBEDDED_ACCESS_KEY_ID, EMBEDDED_SECRET_ACCESS_KEY } from '../../kernel/config';
import { repoPath } from '../../kernel/paths';
import { ObjectStore } from '../../kernel/storage/object-store';
import { api } from '../helpers/http';
import { startTestPlatform, tempDir } from '../helpers/platform';
import { killHard, spawnPlatform, type PlatformProcess } from '../helpers/process-platform';
import { testDigits, trainedMnistPackage, uploadFolder } from '../helpers/mnist-model';
import { createBatch, readManifest, waitForBatch } from '../helpers/batch';
import { importMnist, withHook, waitForServiceWhere } from '../helpers/services';

const BUCKET = 'batch-restart';
const INPUTS = 600;
/** The hook waits this long per request, so the batch is still running when the platform is killed. */
const DELAY_MS = 300;

function storeOf(p: PlatformProcess): ObjectStore {
  return new ObjectStore({ endpoint: p.storageEndpoint, accessKeyId: EMBEDDED_ACCESS_KEY_ID, secretAccessKey: EMBEDDED_SECRET_ACCESS_KEY, region: 'us-east-1' });
}

describe('A batch service survives a kill -9 of the platform, or of an instance, mid-batch [heavy]', function () {
  this.timeout(240_000);
  let dataDir: string;
  let platform: PlatformProcess | undefined;

  before(async () => {
    dataDir = await tempDir('batch-restart');
  });

  after(async () => {
    if (platform) await killHard(platform);
  });

  it('resumes where its journal ends: every input once in the manifest, no input lost, only those in flight sent again', async () => {
    platform = await spawnPlatform({ DATA_DIR: dataDir });
    const store = storeOf(platform);
    const pkg = await tempDir('slow-mnist');
    await fs.cp(await trainedMnistPackage(), pkg, { recursive: true });
    await fs.copyFile(repoPath('test', 'fixtures', 'hooks', 'mnist-slow.js'), path.join(pkg, 'model', 'customize_service.js'));
    const url = await uploadFolder(store, pkg, `obs://${BUCKET}/package/`);
    const model = (await api(platform.url, 'POST', '/models/import', { name: 'slow-mnist', version: '1.0.0', url })).body;
    const digits = testDigits(Array.from({ length: 50 }, (_, i) => i));
    for (let i = 0; i < INPUTS; i++) await store.put({ bucket: BUCKET, key: `in/d${String(i).padStart(4, '0')}.png` }, digits[i % digits.length].png);
    const log = path.join(dataDir, 'predictions.log');
    const created = await api(platform.url, 'POST', '/services', {
      name: 'slow-batch', infer_type: 'batch', model_id: model.id, envs: { PREDICT_DELAY_MS: String(DELAY_MS), PREDICT_LOG: log },
      src_path: `obs://${BUCKET}/in/`, dest_path: `obs://${BUCKET}/out/`, req_uri: '/', mapping_type: 'file',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const first = platform;
    const before = await waitForServiceWhere(first.url, created.body.id, 'some inputs scored', (s: any) => s.progress.done >= 30, 60_000, 50);
    assert.ok(before.progress.done < INPUTS, 'the batch ended before the kill; make the hook slower');
    await killHard(platform);
    store.destroy();

    platform = await spawnPlatform({ DATA_DIR: dataDir });
    const done = await waitForBatch(platform.url, created.body.id, 180_000);
    assert.equal(done.status, 'finished', JSON.stringify(done.events));
    assert.deepEqual(done.progress, { total: INPUTS, done: INPUTS, failed: 0 });
    assert.match(done.events.map((e: any) => e.message).join('\n'), /the platform restarted: resuming the batch[\s\S]*running: 600 inputs on 1 instance\(s\) \(\d+ scored before the restart\)/);

    const again = storeOf(platform);
    try {
      const lines = await readManifest(again, done);
      const sources = lines.map((l) => l.source);
      assert.equal(sources.length, INPUTS, 'one manifest line per input');
      assert.equal(new Set(sources).size, INPUTS, 'no input twice in the manifest');
      assert.ok(lines.every((l) => l.result === 'SUCCESSFUL'));
      const results = await again.listAll({ bucket: BUCKET, key: `out/infer-result-${done.task_id}/` });
      assert.equal(results.length, INPUTS);
    } finally {
      again.destroy();
    }
    const counts = new Map<string, number>();
    for (const name of (await fs.readFile(log, 'utf8')).split('\n').filter(Boolean)) counts.set(name, (counts.get(name) ?? 0) + 1);
    assert.equal(counts.size, INPUTS, 'every input was sent');
    const twice = [...counts.values()].filter((n) => n > 1).length;
    assert.ok(twice <= 32, `${twice} inputs were sent twice; only the 32 in flight at the kill may be`);
  });

  it('starts a killed instance again and sends the inputs it held once more: none fails', async () => {
    const t = await startTestPlatform();
    try {
      const model = await importMnist(t, BUCKET, 'slow-mnist', '1.0.0', withHook('mnist-slow.js'));
      const digits = testDigits(Array.from({ length: 20 }, (_, i) => i));
      for (let i = 0; i < 200; i++) await t.store.put({ bucket: BUCKET, key: `crash/d${i}.png` }, digits[i % digits.length].png);
      const created = await createBatch(t.url, { name: 'crash-batch', model_id: model.id, envs: { PREDICT_DELAY_MS: '100' }, src_path: `obs://${BUCKET}/crash/`, dest_path: `obs://${BUCKET}/crash-out/`, req_uri: '/', mapping_type: 'file' });
      const running = await waitForServiceWhere(t.url, created.id, 'the batch to run', (s: any) => s.status === 'running' && s.instances[0]?.pid, 60_000, 50);
      process.kill(running.instances[0].pid, 'SIGKILL');
      const done = await waitForBatch(t.url, created.id);
      assert.equal(done.status, 'finished', JSON.stringify(done.events));
      assert.deepEqual(done.progress, { total: 200, done: 200, failed: 0 });
      assert.equal(done.instances[0].restarts, 1);
      assert.match(done.events.map((e: any) => e.message).join('\n'), /instance i-\w+ .*; starting it again \(its inputs are sent again\)[\s\S]*replaced/);
      assert.equal((await readManifest(t.store, done)).length, 200);
    } finally {
      await t.close();
    }
  });
});
