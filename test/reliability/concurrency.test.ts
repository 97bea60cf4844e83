import assert from 'node:assert/strict';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { uploadCode } from '../helpers/jobs';
import { trainedMnistPackage, uploadFolder } from '../helpers/mnist-model';

const BUCKET = 'concurrent';
const N = 100;

describe('concurrency: 100 submissions at once', function () {
  this.timeout(180_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform({ MAX_CONCURRENT_JOBS: '1' });
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['exit-3.js']);
    await uploadFolder(t.store, await trainedMnistPackage(), `obs://${BUCKET}/pkg/`);
  });
  after(async () => t?.close());

  const job = (name: string) => ({ name, algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/code/`, boot_file: 'exit-3.js' }, train_url: `obs://${BUCKET}/out/${name}/` });

  it('records each of 100 parallel job submissions exactly once, and refuses the duplicates', async () => {
    const names = Array.from({ length: N }, (_, i) => `job-${i % 90}`);
    const results = await Promise.all(names.map((n) => api(t.url, 'POST', '/training-jobs', job(n))));
    assert.equal(results.filter((r) => r.status === 201).length, 90);
    assert.equal(results.filter((r) => r.status === 409).length, 10);
    const listed = (await api(t.url, 'GET', '/training-jobs?limit=100')).body;
    assert.equal(listed.total, 90);
    assert.equal(new Set(listed.items.map((j: any) => j.name)).size, 90);
    assert.equal(new Set(listed.items.map((j: any) => j.id)).size, 90);
  });

  it('gives 100 parallel new versions of one job 100 distinct version numbers, losing none', async () => {
    const first = (await api(t.url, 'POST', '/training-jobs', job('versioned'))).body;
    const results = await Promise.all(
      Array.from({ length: N }, (_, i) => api(t.url, 'POST', `/training-jobs/${first.id}/versions`, { parameters: [{ name: 'n', value: String(i) }] })),
    );
    assert.ok(results.every((r) => r.status === 201));
    const created = results.map((r) => r.body.created_version.version);
    assert.equal(new Set(created).size, N);
    const record = (await api(t.url, 'GET', `/training-jobs/${first.id}`)).body;
    assert.equal(record.versions.length, N + 1);
    assert.deepEqual(record.versions.map((v: any) => v.version_id), Array.from({ length: N + 1 }, (_, i) => i + 1));
    const params = record.versions.slice(1).map((v: any) => Number(v.parameters.find((p: any) => p.name === 'n').value));
    assert.deepEqual([...params].sort((a: number, b: number) => a - b), Array.from({ length: N }, (_, i) => i));
  });

  it('imports 100 versions of a model in parallel, each exactly once', async () => {
    const versions = Array.from({ length: N }, (_, i) => `1.0.${i % 95}`);
    const results = await Promise.all(versions.map((v) => api(t.url, 'POST', '/models/import', { name: 'mnist', version: v, url: `obs://${BUCKET}/pkg/` })));
    assert.equal(results.filter((r) => r.status === 201).length, 95, JSON.stringify(results.filter((r) => r.status >= 500).map((r) => r.body)));
    assert.equal(results.filter((r) => r.status === 409).length, 5);
    const models = (await api(t.url, 'GET', '/models?name=mnist')).body.items;
    assert.equal(models.length, 95);
    assert.equal(new Set(models.map((m: any) => m.version)).size, 95);
    assert.ok(models.every((m: any) => m.status === 'published'));
  });
});
