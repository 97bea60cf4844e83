// A real-time service: status, instances, events, request counts and latency; the Prediction tab.
import { del, get, post } from '../lib/api.js';
import { actionButton, badge, facts, fill, formatDate, formatDuration, h, pageHeader, table } from '../lib/dom.js';
import { eventsPanel, serviceFacts } from '../lib/service-parts.js';
import { go, link } from '../lib/nav.js';
import { predictTab } from './predict.js';
import { batchHeader, batchOverview } from './batch-service.js';

/**
 * @param {string} id
 * @param {string} current
 */
function tabs(id, current) {
  /** @type {(path: string, text: string, name: string) => Node} */
  const tab = (path, text, name) => link(path, text, { class: 'tab', 'aria-current': current === name ? 'page' : undefined });
  return h('nav', { class: 'tabs', 'aria-label': 'Service sections' }, tab(`services/${id}`, 'Overview', 'overview'), tab(`services/${id}/predict`, 'Prediction', 'predict'));
}

/**
 * @param {Json} s
 * @param {(s: Json) => void} refresh
 */
function header(s, refresh) {
  return pageHeader(
    h('span', {}, `${s.name} `, badge(s.status)),
    ['running', 'concerning', 'failed', 'stopped'].includes(s.status) ? actionButton(s.status === 'stopped' ? 'Deploy' : 'Deploy again', async () => refresh(await post(`/services/${s.id}/deploy`))) : null,
    ['running', 'concerning', 'deploying', 'failed'].includes(s.status) ? actionButton('Stop', async () => refresh(await post(`/services/${s.id}/stop`))) : null,
    actionButton('Delete', async () => {
      await del(`/services/${s.id}`);
      go('services');
    }, { kind: 'danger', confirmText: `Delete service ${s.name}? Its address stops answering.` }),
  );
}

/** @param {Json | undefined} l */
function latency(l) {
  return l ? `p50 ${formatDuration(l.p50)}, p99 ${formatDuration(l.p99)}, mean ${formatDuration(l.mean)}` : 'no requests yet';
}

/** @param {Json} s */
function overview(s) {
  const instances = s.instances.map((/** @type {Json} */ i) => [String(i.index), badge(i.state), i.address ?? '', String(i.pid ?? ''), formatDate(i.started_at), i.load_ms === undefined ? '' : formatDuration(i.load_ms), String(i.restarts), i.last_exit ?? '']);
  return [
    h(
      'div',
      { class: 'columns' },
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Summary'),
        facts([
          ...serviceFacts(s),
          ['Address', s.access_address ? h('code', {}, s.access_address) : undefined],
          ['Through the control plane', h('code', {}, `${location.origin}${s.infer_url}`)],
          ['API document', external(`${s.infer_url}openapi.json`, 'openapi.json (from config.json apis)')],
          ['Metrics', external(`${s.infer_url}metrics`, 'Prometheus metrics of its instances')],
          ['Batching', batching(s.batching, s.events)],
          ['Instances', `${s.instance_count} × ${s.specification}`],
          ['Created', formatDate(s.created_at)],
          ['Updated', formatDate(s.updated_at)],
        ]),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Requests'),
        facts([
          ['Requests', String(s.request_count)],
          ['Failures', String(s.failure_count)],
          ['Responses off the schema', String(s.schema_mismatch_count)],
          ['Latency', latency(s.latency_ms)],
        ]),
      ),
    ),
    h('section', { class: 'panel' }, h('h2', {}, 'Instances'), table(['#', 'State', 'Address', 'PID', 'Started', 'Load time', 'Restarts', 'Last exit'], instances, { empty: 'No instances.' })),
    eventsPanel(s),
  ];
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function servicePage(root, { params, life }) {
  const [id = '', tab] = params;
  const path = `/services/${encodeURIComponent(id)}`;
  const top = h('div');
  const body = h('div');
  /** @type {string | undefined} */
  let status;
  // The header (with its buttons) is drawn again only when the status changes, to keep focus.
  /** @param {Json} s */
  const refresh = (s) => {
    if (s.status !== status) fill(top, header(s, refresh));
    status = s.status;
    if (tab !== 'predict') fill(body, overview(s));
  };
  const first = await get(path, { signal: life.signal });
  if (first.infer_type === 'batch') return batchPage(root, path, life);
  fill(root, top, tabs(first.id, tab === 'predict' ? 'predict' : 'overview'), body);
  if (tab === 'predict') await predictTab(body, first, life);
  await life.watch(2000, (signal) => get(path, { signal }), refresh);
}

/**
 * A batch service's page: no prediction tab, its progress and outputs instead.
 * @param {HTMLElement} root
 * @param {string} path
 * @param {PageLife} life
 */
async function batchPage(root, path, life) {
  const top = h('div');
  const body = h('div');
  fill(root, top, body);
  /** @type {string | undefined} */
  let status;
  /** @param {Json} s */
  const refresh = (s) => {
    if (s.status !== status) fill(top, batchHeader(s, refresh));
    status = s.status;
    fill(body, batchOverview(s));
  };
  await life.watch(1000, (signal) => get(path, { signal }), refresh);
}

/**
 * @param {string} href
 * @param {string} text
 */
function external(href, text) {
  return h('a', { href, target: '_blank', rel: 'noopener' }, text);
}

/**
 * The setting, and for auto what the instances decided at deploy: the same sentence as the event.
 * @param {Json | undefined} b
 * @param {Json[] | undefined} events
 */
function batching(b, events) {
  if (b && b.mode === 'off') return 'off';
  if (b && b.mode !== 'auto') return `up to ${b.max_batch_size} rows, batch_timeout_micros ${b.batch_timeout_micros}`;
  const decided = [...(events ?? [])].reverse().find((e) => /^batching (on|off) for /.test(e.message));
  return decided ? `auto: ${decided.message}` : 'auto (decided when an instance loads the model, by timing one prediction)';
}
