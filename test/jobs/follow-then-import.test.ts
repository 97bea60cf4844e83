import assert from 'node:assert/strict';
import { endLine } from '../../kernel/end-line';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { cli } from '../helpers/cli';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import { trainedMnistPackage, uploadFolder } from '../helpers/mnist-model';

const BUCKET = 'follow-test';
const CODE = `obs://${BUCKET}/code/`;
const PACKAGE = `obs://${BUCKET}/package/`;
const END_LINE = /^\[modelarts-local\] (Completed|Failed|Terminated|Abnormal) in \d+\.\d s(: .*)?$/;
const VERSIONS_IN_A_ROW = 20;

describe('a followed version has ended when its log ends', function () {
  this.timeout(300_000);
  let t: TestPlatform;

  before(async () => {
    // One version at a time, so a new version may wait as Pending behind another.
    t = await startTestPlatform({ MAX_CONCURRENT_JOBS: '1', STOP_GRACE_MS: '1000' });
    await uploadCode(t.store, CODE, ['copy-package.js', 'hang.js']);
    await uploadFolder(t.store, await trainedMnistPackage(), PACKAGE);
  });

  after(async () => t?.close());

  const copyJob = (name: string, waitMs = 0) => ({
    name,
    algorithm: { engine: 'node', code_dir: CODE, boot_file: 'copy-package.js', parameters: [{ name: 'stamp', value: '1' }, { name: 'wait_ms', value: String(waitMs) }] },
    data_url: PACKAGE,
    train_url: `obs://${BUCKET}/out/${name}/`,
  });

  async function followLog(jobId: string, version: string): Promise<string> {
    const res = await fetch(`${t.url}/training-jobs/${jobId}/logs?follow=1&version=${version}`);
    assert.equal(res.status, 200);
    return res.text();
  }

  const lastLine = (text: string) => text.trimEnd().split('\n').pop()!;

  it('ends the followed log, the uploaded log and the CLI with the line that names the final status', async () => {
    const job = await createJob(t.url, copyJob('followed-once'));
    const followed = lastLine(await followLog(job.id, 'V0001'));
    assert.match(followed, END_LINE);
    // Read right after the stream ended: the record already says how the version ended.
    const v = (await api(t.url, 'GET', `/training-jobs/${job.id}`)).body.versions[0];
    assert.equal(v.status, 'Completed');
    assert.equal(followed, `[modelarts-local] ${endLine(v)}`);
    const uploaded = (await t.store.getBuffer(parseObsUrl(`obs://${BUCKET}/out/followed-once/V0001/logs/followed-once-V0001.log`), 1024 * 1024)).toString('utf8');
    assert.equal(lastLine(uploaded), followed);
    const stored = (await api(t.url, 'GET', `/training-jobs/${job.id}/logs`)).body as string;
    assert.equal(lastLine(stored), followed);
    const shown = await cli(t.url, 'follow', 'followed-once');
    assert.equal(shown.code, 0, shown.lines.join('\n'));
    assert.ok(shown.lines.at(-1)!.startsWith(endLine(v)), shown.lines.join('\n'));
  });

  it(`imports the version just followed, ${VERSIONS_IN_A_ROW} new versions in a row`, async () => {
    const job = await createJob(t.url, copyJob('followed-many'));
    await waitForJob(t.url, job.id);
    for (let i = 2; i <= VERSIONS_IN_A_ROW + 1; i++) {
      const added = await api(t.url, 'POST', `/training-jobs/${job.id}/versions`, { parameters: [{ name: 'stamp', value: String(i) }] });
      assert.equal(added.status, 201);
      const version = added.body.created_version.version;
      assert.match(lastLine(await followLog(job.id, version)), /^\[modelarts-local\] Completed in /);
      const model = await api(t.url, 'POST', '/models/import', { name: 'followed', version: `1.0.${i}`, training_job_id: job.id });
      assert.equal(model.status, 201, JSON.stringify(model.body));
      assert.equal(model.body.source.training_job_version, version);
      assert.ok(model.body.files.some((f: { path: string }) => f.path === `stamp-${i}.txt`), `the package is the one version ${version} wrote`);
    }
  });

  it('refuses an import without a version while the newest version runs, naming it; a named earlier version imports', async () => {
    const job = await createJob(t.url, copyJob('still-running'));
    await waitForJob(t.url, job.id);
    const added = await api(t.url, 'POST', `/training-jobs/${job.id}/versions`, { parameters: [{ name: 'wait_ms', value: '600000' }] });
    await waitForJob(t.url, job.id, ['Running'], 'V0002');
    const refused = await api(t.url, 'POST', '/models/import', { name: 'running', version: '1.0.0', training_job_id: job.id });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error_code, 'ModelArts.0402');
    assert.match(refused.body.error_msg, /training job still-running V0002 is Running/);
    assert.match(refused.body.error_msg, /training_job_version/);
    assert.equal(refused.body.training_job_version, 'V0002');
    const named = await api(t.url, 'POST', '/models/import', { name: 'running', version: '1.0.0', training_job_id: job.id, training_job_version: 'V0001' });
    assert.equal(named.status, 201, JSON.stringify(named.body));
    assert.equal(named.body.source.training_job_version, 'V0001');
    assert.equal(added.body.created_version.version, 'V0002');
    await api(t.url, 'POST', `/training-jobs/${job.id}/stop`);
    const stopped = lastLine(await followLog(job.id, 'V0002'));
    assert.match(stopped, /^\[modelarts-local\] Terminated in \d+\.\d s: stopped by the user$/);
  });

  it('keeps a follower of a queued version waiting until that version has run', async () => {
    const blocker = await createJob(t.url, { ...copyJob('blocker'), algorithm: { engine: 'node', code_dir: CODE, boot_file: 'hang.js', parameters: [] } });
    await waitForJob(t.url, blocker.id, ['Running']);
    const queued = await createJob(t.url, copyJob('queued'));
    assert.equal(queued.status, 'Pending');
    const following = followLog(queued.id, 'V0001');
    await api(t.url, 'POST', `/training-jobs/${blocker.id}/stop`);
    const text = await following;
    assert.match(text, /copied the package, stamp 1/);
    assert.match(lastLine(text), /^\[modelarts-local\] Completed in /);
    assert.equal((await api(t.url, 'GET', `/training-jobs/${queued.id}`)).body.status, 'Completed');
  });
});
