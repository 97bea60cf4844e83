import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { checkedScreenshot, consolePage, launchChromium } from '../helpers/browser';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { importMnist } from '../helpers/services';
import { api, waitFor } from '../helpers/http';

/** A batch service deployed and followed through the web console, in a real Chromium. */
describe('the web console deploys a batch service and shows its progress and outputs', function () {
  this.timeout(120_000);
  this.bail(true);
  let t: TestPlatform;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  before(async () => {
    [t, browser] = await Promise.all([startTestPlatform({ PREPARE_SAMPLES: 'true' }), launchChromium()]);
    await importMnist(t, 'console-batch', 'mnist');
    page = await consolePage(browser, errors);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  const snap = (name: string) => checkedScreenshot(page, errors, name);

  it('shows the API\'s problem next to the field it names', async () => {
    await page.goto(`${t.url}/#/services`);
    await page.getByRole('link', { name: 'Deploy batch service' }).click();
    await page.getByLabel('Request path').fill('/predict');
    await page.getByRole('button', { name: 'Deploy' }).click();
    const problem = page.locator('.field[data-path="req_uri"] .field-error');
    await problem.filter({ hasText: 'is not one of model mnist 1.0.0' }).waitFor();
    await snap('batch-deploy-refused');
  });

  it('deploys the tutorial\'s batch (its defaults), then shows it finished with the manifest and every input scored', async () => {
    await page.getByLabel('Request path').fill('/');
    await page.getByRole('button', { name: 'Deploy' }).click();
    await page.waitForURL(/#\/services\/[0-9a-f-]{36}$/);
    const id = new URL(page.url()).hash.split('/').pop()!;
    await page.locator('.badge[data-status="finished"]').first().waitFor({ timeout: 60_000 });
    const record = (await api(t.url, 'GET', `/services/${id}`)).body;
    assert.equal(record.status, 'finished');
    await page.getByText('100 of 100 (100%)').waitFor();
    await page.getByRole('link', { name: record.outputs.manifests[0] }).waitFor();
    assert.equal(await page.locator('progress').getAttribute('value'), '100');
    await snap('batch-service');
  });

  it('lists it among the services with its type and progress', async () => {
    await page.getByRole('link', { name: 'Services' }).first().click();
    const row = page.locator('tr', { hasText: 'mnist-batch' });
    await waitFor('the batch row', async () => ((await row.count()) ? true : undefined));
    assert.match((await row.textContent()) ?? '', /batch\s*finished\s*mnist 1\.0\.0\s*100 of 100 inputs scored/);
    await snap('services-with-batch');
  });
});
