import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { launchChromium } from '../helpers/browser';
import { startTestPlatform, TestPlatform } from '../helpers/platform';

const TOKEN = 'console-platform-token';

describe('the web console on a platform with AUTH_TOKEN', function () {
  this.timeout(60_000);
  let t: TestPlatform;
  let browser: Browser;

  before(async () => {
    [t, browser] = await Promise.all([startTestPlatform({ AUTH_TOKEN: TOKEN }), launchChromium()]);
  });
  after(async () => {
    await browser?.close();
    await t?.close();
  });

  it('loads without the token, asks for it once, and then shows the platform', async () => {
    const page = await browser.newPage();
    const asked: string[] = [];
    page.on('dialog', (d) => {
      asked.push(d.message());
      void d.accept(TOKEN);
    });
    const index = await page.goto(t.url);
    assert.equal(index?.status(), 200, 'the console files need no token');
    await page.getByText(t.platform.context.storageEndpoint, { exact: false }).waitFor();
    assert.equal(asked.length, 1);
    assert.match(asked[0], /AUTH_TOKEN/);
    const api = await page.evaluate(async () => (await fetch('/training-jobs')).status);
    assert.equal(api, 401, 'the API itself still needs the token');
  });
});
