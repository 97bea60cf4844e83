import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (.ci/run installs it); Playwright's own browser downloads are not used. */
export const CHROMIUM = '/usr/bin/chromium';

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export { serveFolder, type StaticSite } from '../../samples/serve-folder';
