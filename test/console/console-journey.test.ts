import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { digitPng } from '../../samples/mnist/dataset';
import { checkedScreenshot, consolePage, imagePixels, launchChromium } from '../helpers/browser';
import { MNIST_CODE, mnistGz, testDigits } from '../helpers/mnist-model';
import { tempDir, startTestPlatform, TestPlatform } from '../helpers/platform';
import { predictFile } from '../helpers/services';
import { api } from '../helpers/http';

const BUCKET = 'test-modelarts';
const TRAIN_TIMEOUT_MS = 100_000;

/**
 * The MNIST tutorial walked through the web console in a real Chromium: every step is
 * done with the console's own controls, and what it shows is checked against the API.
 */
describe('the web console walks the MNIST tutorial', function () {
  this.timeout(120_000);
  // Each step starts where the one before ended.
  this.bail(true);
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  let serviceId = '';

  before(async () => {
    [t, browser] = await Promise.all([startTestPlatform(), launchChromium()]);
    page = await consolePage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const snap = (name: string) => checkedScreenshot(page, errors, name);

  const hash = () => new URL(page.url()).hash;

  async function createFolder(name: string): Promise<void> {
    await page.getByLabel('New folder').fill(name);
    await page.getByRole('button', { name: 'Create folder' }).click();
    await page.getByRole('link', { name: `${name}/` }).click();
  }

  /** Waits until no upload is still running, and returns the failed ones' text. */
  async function uploadsSettled(count: number): Promise<string[]> {
    await page.locator('.uploads li.uploaded, .uploads li.failed').nth(count - 1).waitFor();
    assert.equal(await page.locator('.uploads li').count(), count);
    return page.$$eval('.uploads li.failed', (els) => els.map((e) => e.textContent ?? ''));
  }

  it('creates the bucket by keyboard, then uploads the dataset files and the code folder with progress', async () => {
    await page.goto(`${t.url}/#/storage`);
    await page.getByLabel('Bucket name').focus();
    await page.keyboard.type(BUCKET);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/#/storage/${BUCKET}`);
    await createFolder('mnist');
    await createFolder('dataset-mnist');

    const gz = await mnistGz();
    const files = (await fs.readdir(gz)).map((f) => path.join(gz, f));
    await page.setInputFiles('#upload-files', files);
    assert.deepEqual(await uploadsSettled(files.length), []);
    assert.ok(await page.$$eval('.uploads progress', (bars) => bars.every((b) => (b as unknown as { value: number; max: number }).value === (b as unknown as { max: number }).max)));
    for (const f of files) {
      const stored = await t.store.head({ bucket: BUCKET, key: `mnist/dataset-mnist/${path.basename(f)}` });
      assert.equal(stored?.size, (await fs.stat(f)).size, f);
      await page.getByRole('cell', { name: path.basename(f) }).waitFor();
    }
    await snap('storage-folder');

    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'mnist', exact: true }).click();
    await page.waitForURL(`**/#/storage/${BUCKET}/mnist/`);
    const code = path.join(await tempDir('console-code'), 'mnist-tensorflow-code');
    await fs.cp(MNIST_CODE, code, { recursive: true });
    await page.setInputFiles('#upload-folder', code);
    const keys = ['train_mnist_tfjs.js', 'model-package/config.json', 'model-package/customize_service.js', 'model-package-python/config.json', 'model-package-python/customize_service.py'];
    assert.deepEqual(await uploadsSettled(keys.length), []);
    for (const key of keys) {
      assert.ok(await t.store.head({ bucket: BUCKET, key: `mnist/mnist-tensorflow-code/${key}` }), key);
    }
    await page.getByRole('link', { name: 'mnist-tensorflow-code/' }).waitFor();
    await snap('storage');
  });

  it('pages through a folder larger than one page', async () => {
    await Promise.all(Array.from({ length: 120 }, (_, i) => t.store.put({ bucket: BUCKET, key: `many/item-${String(i).padStart(3, '0')}.txt` }, `${i}`)));
    await page.goto(`${t.url}/#/storage/${BUCKET}/many/`);
    const rows = () => page.locator('.listing tbody tr').count();
    await page.getByRole('cell', { name: 'item-049.txt' }).waitFor();
    assert.equal(await rows(), 50);
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByText('Page 2').waitFor();
    await page.getByRole('cell', { name: 'item-099.txt' }).waitFor();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByRole('cell', { name: 'item-119.txt' }).waitFor();
    assert.equal(await rows(), 20);
    assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true);
    await page.getByRole('button', { name: 'Previous page' }).click();
    await page.getByRole('cell', { name: 'item-050.txt' }).waitFor();
  });

  it("shows the API's validation messages next to the fields of the job form", async () => {
    await page.goto(`${t.url}/#/jobs/new`);
    await page.getByLabel('Name', { exact: true }).fill('not a name!');
    await page.getByLabel('Code directory').fill('obs://test-modelarts/../code/');
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const error = (p: string) => page.locator(`.field[data-path="${p}"] .field-error`);
    await error('name').filter({ hasText: /\S/ }).waitFor();
    assert.match(await error('name').innerText(), /must be 1-64 letters, digits/);
    assert.match(await error('algorithm.code_dir').innerText(), /"\." or "\.\." segments/);
    assert.match(await error('train_url').innerText(), /is required/);
    assert.equal(await page.getByLabel('Name', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('.form-errors').innerText(), 'Please fix the 4 problems marked above.');
    await snap('job-form-errors');
  });

  it('creates the tutorial job from the form and follows its log and metrics until it completes', async () => {
    await page.goto(`${t.url}/#/jobs/new`);
    await page.getByRole('button', { name: 'Fill in the MNIST tutorial' }).click();
    await page.getByLabel('Parameter 1 value').fill('200');
    const followed = page.waitForRequest((r) => /\/logs\?version=V0001&follow=1$/.test(r.url()));
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    await page.waitForURL(/#\/jobs\/[0-9a-f-]{36}$/);
    await followed;
    await page.locator('.facts [data-status="Completed"]').waitFor({ timeout: TRAIN_TIMEOUT_MS });
    await page.locator('.log').filter({ hasText: 'test accuracy after 200 steps' }).waitFor();
    await page.locator('svg[data-metric="accuracy"][aria-label$="at step 200"]').waitFor();
    await page.locator('svg[data-metric="loss"]').waitFor();
    const phases = await page.locator('.columns table tbody tr td:first-child').allInnerTexts();
    assert.deepEqual(phases, ['Creating', 'Pending', 'Running', 'Completed']);
    await snap('job');
  });

  it("imports the job's output as a model and shows its API as a table", async () => {
    await page.getByRole('link', { name: 'Import model' }).click();
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.waitForURL(/#\/models\/[0-9a-f-]{36}$/);
    await page.locator('.facts [data-status="published"]').waitFor();
    const row = page.locator('table:has(caption:text("Response fields")) tr', { hasText: 'predicted_label' });
    assert.deepEqual(await row.locator('td').allInnerTexts(), ['predicted_label', 'string', 'yes', '']);
    const images = page.locator('table:has(caption:text("Request fields")) tr', { hasText: 'images' });
    assert.equal(await images.locator('td').nth(1).innerText(), 'file');
    assert.match(await page.getByLabel('config.json').innerText(), /"model_type": "TensorFlow"/);
    await snap('model');
  });

  it('deploys the model and shows the running service with its instances', async () => {
    await page.getByRole('link', { name: 'Deploy' }).click();
    await page.getByRole('button', { name: 'Deploy', exact: true }).click();
    await page.waitForURL(/#\/services\/[0-9a-f-]{36}$/);
    serviceId = hash().split('/')[2];
    await page.locator('.page-header [data-status="running"]').waitFor({ timeout: 60_000 });
    await page.locator('table [data-status="ready"]').waitFor();
    // The batching fact says what the event says, not a rule of its own.
    const decided = await page.locator('.facts').getByText(/^auto: batching on for /).innerText();
    assert.ok((await page.locator('table').allInnerTexts()).some((t) => t.includes(decided.slice('auto: '.length))), decided);
    await snap('service');
    for (const [name, path, type] of [[/openapi\.json/, 'openapi.json', /json/], [/Prometheus metrics/, 'metrics', /text\/plain/]] as const) {
      const href = await page.getByRole('link', { name }).getAttribute('href');
      assert.equal(href, `/v1/infers/${serviceId}/${path}`);
      const res = await fetch(`${t.url}${href}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', type);
    }
    for (const [name, href] of [['API (OpenAPI)', '/openapi.json'], ['Metrics', '/metrics']]) {
      assert.equal(await page.getByRole('link', { name, exact: true }).getAttribute('href'), href);
    }
  });

  it('predicts a digit drawn on the pad, sent as a 28x28 white-on-black PNG', async () => {
    await page.getByRole('link', { name: 'Prediction' }).click();
    assert.match(await page.locator('#prediction-result').innerText(), /Draw a digit and press "Predict drawing", or upload an image/);
    const pad = (await page.locator('#drawing-pad').boundingBox())!;
    await page.mouse.move(pad.x + pad.width / 2, pad.y + 40);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2 + 6, pad.y + pad.height - 40, { steps: 12 });
    await page.mouse.up();
    await page.getByRole('button', { name: 'Predict drawing' }).click();
    await page.locator('#predicted-label').waitFor();

    const sent = await imagePixels(page, '.preview');
    assert.deepEqual([sent.width, sent.height], [28, 28]);
    assert.equal(sent.gray[0], 0, 'black ground');
    assert.ok(Math.max(...sent.gray) > 200, 'white ink');
    const answer = await predictFile(`${t.url}/v1/infers/${serviceId}/`, digitPng({ pixels: Uint8Array.from(sent.gray) }));
    assert.equal(await page.locator('#predicted-label').innerText(), answer.body.predicted_label);
    assert.equal(await page.locator('#predicted-label').innerText(), '1');
    assert.equal(await page.locator('#prediction-result svg.bars rect.bar').count(), 5);
    assert.match(await page.locator('#curl-command').innerText(), new RegExp(`-F 'images=@digit\\.png' ${t.url}/v1/infers/${serviceId}/`));
  });

  it('predicts an uploaded real test digit and shows what the API answers, with the curl command', async () => {
    const digits = testDigits([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const url = `${t.url}/v1/infers/${serviceId}/`;
    let chosen: (typeof digits)[number] | undefined;
    let answer: any;
    for (const d of digits) {
      answer = (await predictFile(url, d.png)).body;
      if (answer.predicted_label === String(d.label)) {
        chosen = d;
        break;
      }
    }
    assert.ok(chosen, 'the model reads at least one of ten test digits right');
    const file = path.join(await tempDir('console-digit'), `digit-${chosen.index}.png`);
    await fs.writeFile(file, chosen.png);
    await page.setInputFiles('#predict-file', file);
    await page.locator('#curl-command', { hasText: `images=@digit-${chosen.index}.png` }).waitFor();
    assert.equal(await page.locator('#predicted-label').innerText(), String(chosen.label));
    assert.deepEqual(JSON.parse(await page.locator('#raw-response').innerText()), answer);
    const png = PNG.sync.read(await fs.readFile(file));
    assert.equal(png.width, 28);
    await snap('prediction');
  });

  it('sums it up on the overview and in the lists', async () => {
    for (const [name, route] of [['overview', ''], ['jobs', 'jobs'], ['models', 'models'], ['services', 'services']]) {
      await page.goto(`${t.url}/#/${route}`);
      await page.getByRole('link', { name: /trainjob-mnist|mnist/ }).first().waitFor();
      await snap(name);
    }
    await page.goto(`${t.url}/#/`);
    assert.match(await page.locator('.cards').innerText(), /Training jobs\s+1\s+0 running, 1 completed/);
  });

  it('runs a new version of the job, stops it, and deletes the job', async () => {
    await page.goto(`${t.url}/#/jobs`);
    await page.getByRole('link', { name: 'trainjob-mnist' }).click();
    await page.getByRole('button', { name: 'New version' }).click();
    await page.getByLabel('Parameter 1 value').fill('1000000');
    await page.getByRole('button', { name: 'Run new version' }).click();
    await page.waitForURL(/\?version=V0002$/);
    await page.locator('.facts [data-status="Running"]').waitFor();
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.facts [data-status="Terminated"]').waitFor();
    assert.match(await page.locator('.facts').innerText(), /--max_steps=1000000/);
    await page.getByRole('button', { name: 'Delete' }).click();
    await page.waitForURL(/#\/jobs$/);
    await page.getByText('No training jobs yet.').waitFor();
    assert.equal((await api(t.url, 'GET', '/training-jobs')).body.total, 0);
  });

  it('stops the service from its page', async () => {
    await page.goto(`${t.url}/#/services/${serviceId}`);
    await page.getByRole('button', { name: 'Stop' }).click();
    await page.locator('.page-header [data-status="stopped"]').waitFor();
    assert.equal((await api(t.url, 'GET', `/services/${serviceId}`)).body.status, 'stopped');
  });
});
