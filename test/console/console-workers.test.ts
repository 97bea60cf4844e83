import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { consolePage, launchChromium, screenshot } from '../helpers/browser';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';

const BUCKET = 'console-workers';

/** A job on two nodes in the console: each worker's address and end, and each one's own log. */
describe('the web console shows the workers of a job on several nodes', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  let job: any;
  const errors: string[] = [];

  before(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchChromium()]);
    page = await consolePage(browser, errors);
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['env_report.py']);
    await t.store.put({ bucket: BUCKET, key: 'data/x.txt' }, 'x');
    const created = await createJob(t.url, {
      name: 'two-nodes',
      algorithm: { engine: 'python', code_dir: `obs://${BUCKET}/code/`, boot_file: 'env_report.py' },
      data_url: `obs://${BUCKET}/data/`,
      train_url: `obs://${BUCKET}/out/`,
      resource: { node_count: 2 },
    });
    job = await waitForJob(t.url, created.id);
    assert.equal(job.status, 'Completed', job.versions[0].reason);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('lists each worker with its address, and opens one worker\'s own log from its link', async () => {
    const [w0, w1] = job.versions[0].tasks;
    await page.goto(`${t.url}/#/jobs/${job.id}`);
    await page.getByRole('link', { name: 'worker-1' }).waitFor();
    const workers = await page.locator('dd', { has: page.getByRole('link', { name: 'all workers' }) }).innerText();
    assert.match(workers, new RegExp(`worker-0 on ${w0.host.replace(/\./g, '\\.')}`));
    assert.match(workers, new RegExp(`worker-1 on ${w1.host.replace(/\./g, '\\.')}`));
    const all = page.getByLabel('Job log');
    await all.filter({ hasText: 'node 1 of 2' }).waitFor();
    assert.match(await all.innerText(), /\[worker-0\] node 0 of 2/);

    await page.getByRole('link', { name: 'worker-1' }).click();
    await page.getByRole('heading', { name: 'Log of worker-1' }).waitFor();
    const own = page.getByLabel('Job log');
    await own.filter({ hasText: 'node 1 of 2' }).waitFor();
    assert.doesNotMatch(await own.innerText(), /node 0 of 2/);
    await screenshot(page, 'job-worker-log');
    assert.deepEqual(errors, []);
  });
});
