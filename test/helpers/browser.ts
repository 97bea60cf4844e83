import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { chromium, Browser, Page } from 'playwright-core';
import { repoPath } from '../../kernel/paths';

/** Debian's Chromium (`.ci/run` installs it when missing); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = repoPath('test-output', 'console');

/** Headless Chromium with a fresh profile of its own (playwright makes a temporary one per launch). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** A page that fails the test on any script error or console error of the page. */
export async function consolePage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
  });
  page.on('dialog', (d) => void d.accept());
  return page;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await fs.mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Form controls on the page that have no label a screen reader could read. */
export function unlabelledControls(page: Page): Promise<string[]> {
  // The test code is compiled without the DOM types; this is the part of a control it reads.
  type Control = { type: string; labels: { length: number } | null; outerHTML: string; getAttribute(name: string): string | null };
  return page.$$eval('input, select, textarea', (els) =>
    (els as unknown as Control[])
      .filter((el) => el.type !== 'hidden')
      .filter((el) => !el.labels?.length && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML.slice(0, 120)),
  );
}

/** The red channel (gray, for a gray image) of an <img> as the browser decoded it, row by row. */
export function imagePixels(page: Page, selector: string): Promise<{ width: number; height: number; gray: number[] }> {
  return page.locator(selector).evaluate(async (img: any) => {
    await img.decode();
    const canvas = new (globalThis as any).OffscreenCanvas(img.naturalWidth, img.naturalHeight);
    const ctx = canvas.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { width: canvas.width, height: canvas.height, gray: Array.from({ length: canvas.width * canvas.height }, (_, i) => data[i * 4] as number) };
  });
}

export { serveFolder, type StaticSite } from '../../samples/serve-folder';

/**
 * A screenshot of the page, which must label every control and have logged no script error (a
 * 4xx the page asked for, such as a validation answer, is logged by Chromium: no script error).
 */
export async function checkedScreenshot(page: Page, errors: string[], name: string): Promise<void> {
  await screenshot(page, name);
  assert.deepEqual(await unlabelledControls(page), [], `unlabelled controls on ${name}`);
  assert.deepEqual(errors.filter((e) => !/Failed to load resource/.test(e)), [], `errors on ${name}`);
}
