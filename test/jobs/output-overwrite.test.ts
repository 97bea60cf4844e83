import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import path from 'node:path';
import { gzipMnistTo } from '../../samples/mnist/dataset';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startTestPlatform, tempDir, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';

const BUCKET = 'overwrite-test';
const CODE = `obs://${BUCKET}/code/`;
const DATA = `obs://${BUCKET}/data/`;

describe('a job never writes over outputs it does not own', function () {
  this.timeout(120_000);
  let t: TestPlatform;

  before(async () => {
    t = await startTestPlatform();
    await uploadCode(t.store, CODE, ['echo-args.js']);
    const gz = await gzipMnistTo(await tempDir('mnist-gz'));
    const labels = gz.find((f) => path.basename(f).startsWith('t10k-labels'))!;
    await t.store.putFile({ ...parseObsUrl(DATA), key: `data/${path.basename(labels)}` }, labels);
  });

  after(async () => t?.close());

  function job(name: string, trainUrl: string, extra: Record<string, unknown> = {}) {
    return { name, algorithm: { engine: 'node', code_dir: CODE, boot_file: 'echo-args.js' }, data_url: DATA, train_url: trainUrl, ...extra };
  }

  /** Key → sha256 of every object under a folder. */
  async function snapshot(folder: string): Promise<Record<string, string>> {
    const url = parseObsUrl(folder);
    const out: Record<string, string> = {};
    for (const o of await t.store.listAll(url)) {
      const body = await t.store.getBuffer({ bucket: url.bucket, key: o.key }, 1 << 20);
      out[o.key] = crypto.createHash('sha256').update(body).digest('hex');
    }
    return out;
  }

  it("refuses a second job on the first one's output folder with 409 naming the owner, and leaves its files byte for byte", async () => {
    const first = await createJob(t.url, job('first-owner', `obs://${BUCKET}/shared-out/`));
    assert.equal((await waitForJob(t.url, first.id)).status, 'Completed');
    const before = await snapshot(`obs://${BUCKET}/shared-out/`);
    assert.ok(Object.keys(before).some((k) => k.endsWith('V0001/seen.json')), JSON.stringify(before));

    const second = await api(t.url, 'POST', '/training-jobs', job('second-comer', `obs://${BUCKET}/shared-out/`));
    assert.equal(second.status, 409, JSON.stringify(second.body));
    assert.match(second.body.error_msg, /training job first-owner V0001/);
    assert.match(second.body.error_msg, /another output folder|overwrite_outputs/);
    const inside = await api(t.url, 'POST', '/training-jobs', job('second-comer', `obs://${BUCKET}/shared-out/V0001/model/`, { versioned_outputs: false }));
    assert.equal(inside.status, 409, 'a folder inside the owner\'s outputs is refused too');
    assert.deepEqual((await api(t.url, 'GET', '/training-jobs?limit=100')).body.items.map((j: any) => j.name), ['first-owner'], 'nothing was recorded');
    assert.deepEqual(await snapshot(`obs://${BUCKET}/shared-out/`), before, 'the first job\'s files are unchanged');
  });

  it('writes there when asked to overwrite', async () => {
    const res = await api(t.url, 'POST', '/training-jobs', job('overwriter', `obs://${BUCKET}/shared-out/`, { overwrite_outputs: true }));
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal((await waitForJob(t.url, res.body.id)).status, 'Completed');
  });

  it('refuses a folder that already holds objects no job wrote, naming one of them', async () => {
    await t.store.put({ bucket: BUCKET, key: 'by-hand/V0001/notes.txt' }, 'kept');
    const res = await api(t.url, 'POST', '/training-jobs', job('by-hand', `obs://${BUCKET}/by-hand/`));
    assert.equal(res.status, 409);
    assert.match(res.body.error_msg, /obs:\/\/overwrite-test\/by-hand\/V0001\/notes\.txt/);
    assert.equal((await t.store.getBuffer({ bucket: BUCKET, key: 'by-hand/V0001/notes.txt' }, 100)).toString(), 'kept');
  });

  it("refuses a version that would write over an earlier version's outputs (versioned_outputs: false) unless asked", async () => {
    const created = await createJob(t.url, job('unversioned', `obs://${BUCKET}/flat/`, { versioned_outputs: false }));
    await waitForJob(t.url, created.id);
    const again = await api(t.url, 'POST', `/training-jobs/${created.id}/versions`, {});
    assert.equal(again.status, 409);
    assert.match(again.body.error_msg, /training job unversioned V0001/);
    const forced = await api(t.url, 'POST', `/training-jobs/${created.id}/versions`, { overwrite_outputs: true });
    assert.equal(forced.status, 201, JSON.stringify(forced.body));
    assert.equal(forced.body.created_version.version, 'V0002');
  });

  it('lets each version of a job write its own V000N folder', async () => {
    const created = await createJob(t.url, job('versioned', `obs://${BUCKET}/versioned/`));
    await waitForJob(t.url, created.id);
    const next = await api(t.url, 'POST', `/training-jobs/${created.id}/versions`, {});
    assert.equal(next.status, 201, JSON.stringify(next.body));
  });

  it("refuses it through ModelArts' v2 API too, in its error shape", async () => {
    const res = await api(t.url, 'POST', '/v2/modelarts-local/training-jobs', {
      kind: 'job',
      metadata: { name: 'v2-second' },
      algorithm: {
        code_dir: `/${BUCKET}/code/`,
        boot_file: `/${BUCKET}/code/echo-args.js`,
        engine: { engine_name: 'Node.js' },
        inputs: [{ name: 'data_url', remote: { obs: { obs_url: `/${BUCKET}/data/` } } }],
        outputs: [{ name: 'train_url', remote: { obs: { obs_url: `/${BUCKET}/shared-out/V0001/` } } }],
      },
    });
    assert.equal(res.status, 409, JSON.stringify(res.body));
    assert.match(res.body.error_msg, /training job first-owner V0001/);
    assert.ok(res.body.error_code);
  });
});
