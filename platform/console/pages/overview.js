// Overview: counts of jobs, models and services, where storage and compute are, and what happened lately.
import { get } from '../lib/api.js';
import { badge, facts, fill, formatDate, h, pageHeader, table } from '../lib/dom.js';
import { link } from '../lib/nav.js';

const RECENT = 12;

/**
 * @param {AbortSignal} signal
 * @returns {Promise<Json>}
 */
async function load(signal) {
  const health = await get('/health', { signal }).catch((err) => ({ status: 'unreachable', error: err }));
  const [jobs, models, services] = await Promise.all([
    get('/training-jobs?limit=100', { signal }),
    get('/models', { signal }),
    get('/services', { signal }),
  ]);
  return { health, jobs, models, services };
}

/**
 * @param {Json[]} items
 * @param {string[]} statuses
 */
function countBy(items, statuses) {
  return statuses.map((s) => `${items.filter((i) => i.status === s).length} ${s.toLowerCase()}`).join(', ');
}

/**
 * @param {string} title
 * @param {number} total
 * @param {string} detail
 * @param {string} path
 */
function card(title, total, detail, path) {
  return h('section', { class: 'card' }, h('h2', {}, link(path, title)), h('p', { class: 'big' }, String(total)), h('p', {}, detail));
}

/**
 * Everything that happened, newest first: job phases, model imports, service events.
 * @param {Json} data
 */
function activity({ jobs, models, services }) {
  /** @type {{ time: string, what: Child }[]} */
  const items = [];
  for (const j of jobs.items) {
    for (const v of j.versions) {
      for (const [status, time] of /** @type {[string, string][]} */ (Object.entries(v.phases))) {
        items.push({ time, what: [link(`jobs/${j.id}`, `${j.name} ${v.version}`), ' ', badge(status)] });
      }
    }
  }
  for (const m of models.items) items.push({ time: m.created_at, what: [link(`models/${m.id}`, `${m.name} ${m.version}`), ' imported: ', badge(m.status)] });
  for (const s of services.items) {
    for (const e of s.events) items.push({ time: e.time, what: [link(`services/${s.id}`, s.name), `: ${e.message}`] });
  }
  return items.sort((a, b) => (a.time < b.time ? 1 : -1)).slice(0, RECENT);
}

/**
 * @param {HTMLElement} root
 * @param {Json} data
 */
function render(root, data) {
  const { health, jobs, models, services } = data;
  const storage = health.storage;
  fill(
    root,
    pageHeader('Overview'),
    h(
      'div',
      { class: 'cards' },
      card('Training jobs', jobs.total, countBy(jobs.items, ['Running', 'Completed', 'Failed']), 'jobs'),
      card('Models', models.total, countBy(models.items, ['published', 'failed']), 'models'),
      card('Services', services.total, countBy(services.items, ['running', 'stopped', 'failed']), 'services'),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Platform'),
      facts([
        ['Status', badge(health.status === 'ok' ? 'running' : health.status)],
        ['Problems', health.problems?.join(' ')],
        ['Version', health.version],
        ['Object storage', storage ? `${storage.endpoint} (${storage.embedded ? 'embedded' : 'external'}, ${storage.reachable ? 'reachable' : 'unreachable'}, region ${storage.region})` : 'unknown'],
        ['Compute backend', health.compute?.description ?? health.compute?.backend],
        ['Compute notes', health.compute?.notes?.join(' ')],
        ['Data directory', health.data_dir],
      ]),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Recent activity'),
      table(['When', 'What'], activity(data).map((i) => [formatDate(i.time), h('span', {}, i.what)]), {
        empty: 'Nothing yet: upload data, then create a training job.',
      }),
    ),
  );
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function overviewPage(root, { life }) {
  await life.watch(3000, load, (data) => render(root, data));
}
