import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { repoPath } from '../../kernel/paths';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { api } from '../helpers/http';
import { createJob, waitForJob } from '../helpers/jobs';
import { testDigits, uploadFolder, uploadMnistData } from '../helpers/mnist-model';
import { deployService, predictFile } from '../helpers/services';
import { launchChromium, serveFolder, StaticSite } from '../helpers/browser';

const BUCKET = 'samples-mlp';
const DIGITS = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);

describe('the MLP sample: trained in a job, served to a browser page, retrained from the page', function () {
  this.timeout(240_000);
  let t: TestPlatform;
  let browser: Browser;
  let site: StaticSite;
  let page: Page;
  let job: any;
  let service: any;
  const answers = new Map<number, any>();

  before(async () => {
    t = await startTestPlatform({ CORS_ALLOW_ORIGINS: 'localhost' });
    await uploadMnistData(t.store, `obs://${BUCKET}/mnist/`);
    await uploadFolder(t.store, repoPath('samples', 'mlp', 'code'), `obs://${BUCKET}/code/`);
    [browser, site] = await Promise.all([launchChromium(), serveFolder(repoPath('samples', 'mlp', 'page'))]);
  });

  after(async () => {
    await browser?.close();
    await site?.close();
    await t?.close();
  });

  /** The page, pointed at `predictUrl` (and at the control plane for Retrain). */
  async function openPage(predictUrl: string): Promise<Page> {
    const p = await browser.newPage();
    const query = new URLSearchParams({ service: predictUrl, api: t.url, job: job.id, service_id: service.id, model: 'mlp' });
    await p.goto(`${site.origin}/?${query}`);
    return p;
  }

  /** Picks the digit's PNG in the page's file input, clicks a predict button, and reads the answer. */
  async function predictInPage(p: Page, digit: (typeof DIGITS)[number], how: 'json' | 'multipart'): Promise<{ label?: string; error: string }> {
    const name = `mnist-${digit.index}.png`;
    await p.setInputFiles('#file', { name, mimeType: 'image/png', buffer: digit.png });
    await p.waitForSelector(`#pad[data-image="${name}"]`, { state: 'attached' });
    await p.evaluate("delete document.getElementById('result').dataset.label");
    await p.click(`#predict-${how}`);
    await p.waitForSelector('#result:not([data-busy])', { state: 'attached' });
    return { label: (await p.getAttribute('#result', 'data-label')) ?? undefined, error: (await p.textContent('#error')) ?? '' };
  }

  it('trains 784-30-10 on real MNIST in a job and reads real digits sent as multipart and as base64 JSON', async () => {
    job = await createJob(t.url, {
      name: 'mlp',
      algorithm: {
        engine: 'tfjs',
        code_dir: `obs://${BUCKET}/code/`,
        boot_file: 'train_mlp.js',
        parameters: [
          { name: 'epochs', value: 1 },
          { name: 'train_limit', value: 20000 },
        ],
      },
      data_url: `obs://${BUCKET}/mnist/`,
      train_url: `obs://${BUCKET}/output/`,
    });
    const v = (await waitForJob(t.url, job.id)).versions[0];
    assert.equal(v.status, 'Completed', v.reason);
    assert.equal(v.last_metrics.epoch, 1);
    assert.ok(v.last_metrics.accuracy > 0.85, `test accuracy ${v.last_metrics.accuracy} after one epoch of 20,000 images`);
    const model = await api(t.url, 'POST', '/models/import', { name: 'mlp', version: '1.0.0', training_job_id: job.id });
    assert.equal(model.status, 201, JSON.stringify(model.body));
    service = await deployService(t.url, { name: 'mlp-service', model_id: model.body.id });
    assert.equal(service.status, 'running', service.reason);

    let right = 0;
    for (const d of DIGITS) {
      const multipart = await predictFile(service.access_address, d.png, { fileName: `mnist-${d.index}.png` });
      assert.equal(multipart.status, 200, JSON.stringify(multipart.body));
      assert.equal(multipart.headers.get('x-response-schema-mismatch'), null);
      assert.deepEqual(Object.keys(multipart.body.confidences), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const json = await api(`${t.url}/v1/infers/${service.id}`, 'POST', '/', { image: d.png.toString('base64') });
      assert.equal(json.status, 200, JSON.stringify(json.body));
      assert.deepEqual(json.body, multipart.body, 'the same digit as multipart and as base64 JSON');
      answers.set(d.index, multipart.body);
      if (multipart.body.predicted_label === String(d.label)) right++;
    }
    assert.ok(right >= 8, `${right} of 10 test digits right`);
    const none = await api(service.access_address, 'POST', '', { picture: 'x' });
    assert.equal(none.status, 400);
    assert.match(none.body.error_msg, /no image: send a multipart file \(e\.g\. -F images=@digit\.png\) or JSON \{"image": "<base64 PNG or JPEG>"\}/);
  });

  it('answers a localhost page in headless Chromium: base64 JSON (after a CORS preflight) and multipart', async () => {
    page = await openPage(service.access_address);
    for (const d of DIGITS.slice(0, 5)) {
      const expected = answers.get(d.index).predicted_label;
      assert.deepEqual(await predictInPage(page, d, 'json'), { label: expected, error: '' }, `digit ${d.index} as base64 JSON`);
      assert.deepEqual(await predictInPage(page, d, 'multipart'), { label: expected, error: '' }, `digit ${d.index} as multipart`);
    }
    const viaGateway = await openPage(`${t.url}/v1/infers/${service.id}/`);
    assert.deepEqual(await predictInPage(viaGateway, DIGITS[0], 'json'), { label: answers.get(0).predicted_label, error: '' });
    await viaGateway.close();
  });

  it('is refused by the browser when the service does not allow the page\'s origin', async () => {
    const closed = await deployService(t.url, { name: 'mlp-elsewhere', model_id: service.model_id, cors: { allow_origins: ['https://example.com'] } });
    assert.equal(closed.status, 'running', closed.reason);
    const p = await openPage(closed.access_address);
    const refused = await predictInPage(p, DIGITS[0], 'json');
    assert.equal(refused.label, undefined);
    assert.match(refused.error, /could not be reached from this page \(is this origin in its cors\.allow_origins\?\)/);
    await p.close();
    const preflight = await fetch(closed.access_address, { method: 'OPTIONS', headers: { Origin: site.origin, 'Access-Control-Request-Method': 'POST' } });
    assert.equal(preflight.status, 403);
  });

  it('retrains from the page: a new job version, its model imported as the next version, the service rolled to it', async () => {
    await page.fill('#epochs', '1');
    await page.click('#retrain');
    await page.waitForSelector('#retrain-status[data-state="done"], #retrain-status[data-state="failed"]', { state: 'attached', timeout: 180_000 });
    const statusText = await page.textContent('#retrain-status');
    assert.equal(await page.getAttribute('#retrain-status', 'data-state'), 'done', statusText ?? '');
    assert.match(statusText ?? '', /the service now runs mlp 1\.0\.1 \(trained as V0002, test accuracy \d+\.\d\d%\)/);
    const v2 = (await api(t.url, 'GET', `/training-jobs/${job.id}`)).body.versions[1];
    assert.equal(v2.status, 'Completed');
    const model = (await api(t.url, 'GET', `/models/${await page.getAttribute('#retrain-status', 'data-model')}`)).body;
    assert.deepEqual([model.name, model.version, model.source.training_job_version], ['mlp', '1.0.1', 'V0002']);
    assert.equal((await api(t.url, 'GET', `/services/${service.id}`)).body.model_id, model.id);
    const after = await predictInPage(page, DIGITS[0], 'json');
    assert.equal(after.error, '');
    assert.match(after.label ?? '', /^[0-9]$/);
  });
});
