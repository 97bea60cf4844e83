// The console's shell: hash routing, the navigation bar, and each page's lifetime.
import { errorText, notice } from './lib/dom.js';
import { overviewPage } from './pages/overview.js';
import { storagePage } from './pages/storage.js';
import { jobsPage, jobFormPage } from './pages/jobs.js';
import { jobPage } from './pages/job.js';
import { modelsPage, importPage } from './pages/models.js';
import { modelPage } from './pages/model.js';
import { servicesPage, deployPage } from './pages/services.js';
import { servicePage } from './pages/service.js';
import { batchDeployPage } from './pages/batch-service.js';

/** @type {{ re: RegExp, nav: string, title: string, page: Page, raw?: boolean }[]} */
const ROUTES = [
  { re: /^$/, nav: 'overview', title: 'Overview', page: overviewPage },
  { re: /^storage(?:\/(.*))?$/, nav: 'storage', title: 'Object storage', page: storagePage, raw: true },
  { re: /^jobs$/, nav: 'jobs', title: 'Training jobs', page: jobsPage },
  { re: /^jobs\/new$/, nav: 'jobs', title: 'Create training job', page: jobFormPage },
  { re: /^jobs\/([^/]+)$/, nav: 'jobs', title: 'Training job', page: jobPage },
  { re: /^models$/, nav: 'models', title: 'Models', page: modelsPage },
  { re: /^models\/import$/, nav: 'models', title: 'Import model', page: importPage },
  { re: /^models\/([^/]+)$/, nav: 'models', title: 'Model', page: modelPage },
  { re: /^services$/, nav: 'services', title: 'Services', page: servicesPage },
  { re: /^services\/new$/, nav: 'services', title: 'Deploy service', page: deployPage },
  { re: /^services\/new-batch$/, nav: 'services', title: 'Deploy batch service', page: batchDeployPage },
  { re: /^services\/([^/]+)(?:\/(predict))?$/, nav: 'services', title: 'Service', page: servicePage },
];

/**
 * What a page gets to live by: a signal that aborts when the user leaves it, and a
 * poller that stops then (so no page keeps fetching in the background).
 * @returns {PageLife}
 */
function pageLife() {
  const controller = new AbortController();
  const signal = controller.signal;
  return {
    signal,
    leave: () => controller.abort(),
    /** Runs `fn` every `ms` (never overlapping) until the page is left or `fn` returns false. */
    every(ms, fn) {
      const tick = async () => {
        if (signal.aborted) return;
        // A failed poll is tried again at the next tick; the browser's console says why.
        const again = await Promise.resolve()
          .then(fn)
          .catch((err) => (console.warn('a refresh failed:', err), true));
        if (again !== false && !signal.aborted) setTimeout(tick, ms);
      };
      setTimeout(tick, ms);
    },
    /**
     * Loads now and every `ms`, and renders only what changed: a page that re-rendered
     * unchanged data would take the keyboard focus away from its user every few seconds.
     */
    async watch(ms, load, render) {
      /** @type {string | undefined} */
      let last;
      const update = async () => {
        const data = await load(signal);
        const key = JSON.stringify(data);
        if (key !== last && !signal.aborted) render(data, last === undefined);
        last = key;
      };
      await update();
      this.every(ms, update);
    },
  };
}

/** @type {PageLife | undefined} */
let current;
let first = true;

function render() {
  const hash = location.hash || '#/';
  if (!hash.startsWith('#/')) return; // an in-page anchor such as the skip link
  current?.leave();
  const life = (current = pageLife());
  const [path, qs] = hash.slice(2).split('?');
  const main = /** @type {HTMLElement} */ (document.getElementById('main'));
  main.replaceChildren();
  const route = ROUTES.find((r) => r.re.test(path));
  for (const a of document.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('data-nav') === route?.nav) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  document.title = `${route?.title ?? 'Not found'} · ModelArts Local`;
  if (!first) main.focus({ preventScroll: true });
  first = false;
  if (!route) {
    main.append(notice(`There is no console page #/${path}.`));
    return;
  }
  // Storage paths are decoded per segment by their page: a key segment may hold an escaped "/".
  const params = (route.re.exec(path) ?? []).slice(1).map((p) => (p === undefined || route.raw ? p : decodeURIComponent(p)));
  Promise.resolve()
    .then(() => route.page(main, { params, query: new URLSearchParams(qs ?? ''), life }))
    .catch((err) => {
      if (!life.signal.aborted) main.append(notice(errorText(err)));
    });
}

window.addEventListener('hashchange', render);
render();
