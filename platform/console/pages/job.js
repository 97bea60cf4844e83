// A training job: its phases and durations, versions, the live log, metric charts, and its actions.
import { del, dropLogged, get, post, streamText } from '../lib/api.js';
import { lineChart } from '../lib/chart.js';
import { actionButton, badge, facts, fill, formatDate, formatDuration, formatNumber, h, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, value } from '../lib/forms.js';
import { go, href, link, obsLink } from '../lib/nav.js';
import { parameterRows, readParameters } from './jobs.js';

const NOT_STARTED = ['Creating', 'Pending'];
/** Keys of a metric point that place it rather than measure something. */
const AXES = ['step', 'epoch', 'time'];

/** @type {(v: Json) => boolean} */
const isActive = (v) => !v.terminal;

/**
 * @param {Json} job
 * @param {string} name
 * @returns {Json}
 */
function pickVersion(job, name) {
  return job.versions.find((/** @type {Json} */ v) => v.version === name) ?? job.versions[job.versions.length - 1];
}

/**
 * Each phase with how long the version stayed in it (until the next, or until now).
 * @param {Json} v
 */
function phaseRows(v) {
  const entries = /** @type {[string, string][]} */ (Object.entries(v.phases)).sort((a, b) => (a[1] < b[1] ? -1 : 1));
  return entries.map(([status, at], i) => {
    const end = entries[i + 1]?.[1] ?? (isActive(v) ? new Date().toISOString() : undefined);
    return [badge(status), formatDate(at), end ? formatDuration(Date.parse(end) - Date.parse(at)) : ''];
  });
}

/** @param {Record<string, number> | undefined} m */
function lastMetrics(m) {
  if (!m) return '';
  return Object.entries(m)
    .filter(([k]) => !AXES.includes(k))
    .map(([k, v]) => `${k} ${formatNumber(v)}`)
    .join(', ');
}

/**
 * @param {Json} job
 * @param {Json} v
 */
function summary(job, v) {
  return facts([
    ['Status', h('span', {}, badge(v.status), v.stage ? ` (${v.stage})` : '')],
    ['Reason', v.reason ? h('pre', { class: 'reason' }, v.reason) : undefined],
    ['Job id', h('code', {}, job.id)],
    ['Version', v.version],
    ['Engine', job.algorithm.engine],
    ['Code directory', obsLink(job.algorithm.code_dir)],
    ['Boot file', job.algorithm.boot_file],
    ['Parameters', v.parameters.map((/** @type {Json} */ p) => `--${p.name}=${p.value}`).join(' ')],
    ['Inputs', h('ul', { class: 'plain' }, job.inputs.map((/** @type {Json} */ i) => h('li', {}, `${i.name}: `, obsLink(i.url), i.pass_as === 'obs_url' ? ' (passed as its OBS URL)' : '')))],
    ['Outputs', h('ul', { class: 'plain' }, v.output_urls.map((/** @type {Json} */ o) => h('li', {}, `${o.name}: `, obsLink(o.url))))],
    ['Resource', `${job.resource.flavor} × ${job.resource.node_count}`],
    ['Workers', job.resource.node_count > 1 ? workerLinks(job, v) : undefined],
    ['Created', formatDate(v.created_at)],
    ['Duration', formatDuration(v.duration_ms)],
    ['Exit code', v.exit_code ?? undefined],
    ['Last metrics', lastMetrics(v.last_metrics)],
  ]);
}

/**
 * Each worker of a version with several nodes: its address, how it ended, and a link to its own log.
 * @param {Json} job
 * @param {Json} v
 */
function workerLinks(job, v) {
  /** @type {Json[]} */
  const tasks = v.tasks ?? [];
  return h(
    'ul',
    { class: 'plain' },
    h('li', {}, link(`jobs/${job.id}?version=${v.version}`, 'all workers')),
    ...tasks.map((t) =>
      h('li', {}, link(`jobs/${job.id}?version=${v.version}&task=${t.task}`, t.task), ` on ${t.host}`, t.reason ? ` — ${t.reason}` : ''),
    ),
  );
}

/**
 * @param {Json} job
 * @param {Json} current
 */
function versionsTable(job, current) {
  /** @type {Json[]} */
  const versions = job.versions;
  const rows = [...versions].reverse().map((v) => [
    v.version === current.version ? h('strong', {}, v.version) : link(`jobs/${job.id}?version=${v.version}`, v.version),
    badge(v.status),
    formatDate(v.created_at),
    formatDuration(v.duration_ms),
    lastMetrics(v.last_metrics),
  ]);
  return table(['Version', 'Status', 'Created', 'Duration', 'Last metrics'], rows);
}

/**
 * One line chart per measured metric, against step (or epoch, or report order).
 * @param {Record<string, number>[]} points
 */
function metricCharts(points) {
  if (!points.length) return [h('p', { class: 'empty' }, 'No metrics reported yet.')];
  const xKey = AXES.slice(0, 2).find((k) => points.some((p) => k in p));
  const names = [...new Set(points.flatMap((p) => Object.keys(p)))].filter((k) => !AXES.includes(k));
  return names.map((name) =>
    lineChart({
      title: name,
      xLabel: xKey ?? 'report',
      points: points.filter((p) => typeof p[name] === 'number').map((p, i) => ({ x: xKey ? p[xKey] : i + 1, y: p[name] })),
    }),
  );
}

/**
 * @param {Json} job
 * @param {Json} v
 */
function newVersionForm(job, v) {
  return apiForm({
    label: 'Run a new version',
    fields: [
      parameterRows('parameters', v.parameters.map((/** @type {Json} */ p) => [p.name, p.value])).group,
      field('Description', h('input', { type: 'text', name: 'description', value: v.description ?? '' }), { path: 'description' }),
    ],
    submit: 'Run new version',
    build: (f) => ({ parameters: readParameters(f), description: value(f, 'description') }),
    send: (body) => post(`/training-jobs/${job.id}/versions`, body),
    done: (updated) => go(`jobs/${job.id}?version=${updated.version}`),
  });
}

/**
 * The log panel: a version's log (or one worker's), followed as it is written while the version runs.
 * @param {string} jobId
 * @param {AbortSignal} signal
 * @param {string | null} task
 */
function logPanel(jobId, signal, task) {
  const pre = h('pre', { class: 'log', tabindex: '0', 'aria-label': 'Job log' });
  const follow = h('input', { type: 'checkbox', id: 'follow-log', checked: true });
  const append = (/** @type {string} */ text) => {
    pre.append(text);
    if (follow.checked) pre.scrollTop = pre.scrollHeight;
  };
  let started = false;
  return {
    el: h('section', { class: 'panel' }, h('div', { class: 'log-head' }, h('h2', {}, task ? `Log of ${task}` : 'Log'), h('label', {}, follow, ' Keep the newest line in view')), pre),
    /**
     * Starts reading once the version has started. A followed log ends with the line naming
     * the version's final status, which the record holds by then: `ended` shows it at once.
     * @param {Json} v
     * @param {() => unknown} ended
     */
    start(v, ended) {
      if (started || NOT_STARTED.includes(v.status)) return;
      started = true;
      const following = isActive(v);
      const url = `/training-jobs/${jobId}/logs?version=${v.version}${task ? `&task=${encodeURIComponent(task)}` : ''}${following ? '&follow=1' : ''}`;
      streamText(url, append, signal).then(
        () => following && !signal.aborted && ended(),
        (err) => {
          if (!signal.aborted) append(`\n[the log could not be read: ${err.message}]\n`);
        },
      );
    },
  };
}

/**
 * The metrics panel: fetched when the count of reports moves, and once more when the version has ended.
 * @param {string} jobId
 * @param {AbortSignal} signal
 */
function metricsPanel(jobId, signal) {
  const charts = h('div', { class: 'charts' });
  let seen = -1;
  let final = false;
  return {
    el: h('section', { class: 'panel' }, h('h2', {}, 'Metrics'), charts),
    /** @param {Json} v */
    async refresh(v) {
      if (v.metric_count === seen && (isActive(v) || final)) return;
      seen = v.metric_count;
      final = !isActive(v);
      const { metrics } = await get(`/training-jobs/${jobId}/metrics?version=${v.version}`, { signal });
      fill(charts, metricCharts(metrics));
    },
  };
}

/**
 * Draws only what changed, so the buttons keep the keyboard focus while the job runs.
 * @returns {(part: string, value: unknown) => boolean} whether `part` shows something new
 */
function changeTracker() {
  /** @type {Record<string, string>} */
  const shown = {};
  return (part, value) => {
    const key = JSON.stringify(value);
    if (shown[part] === key) return false;
    shown[part] = key;
    return true;
  };
}

/**
 * The page's title and its actions for version `v`.
 * @param {Json} job
 * @param {Json} v
 * @param {{ stop: () => Promise<unknown>, newVersion: () => void }} actions
 */
function jobHeader(job, v, { stop, newVersion }) {
  return pageHeader(
    `${job.name} ${v.version}`,
    v.status === 'Completed' ? h('a', { class: 'button primary', href: href(`models/import?job=${job.id}&version=${v.version}`) }, 'Import model') : null,
    isActive(v) ? actionButton('Stop', stop) : null,
    h('button', { type: 'button', onclick: newVersion }, 'New version'),
    actionButton('Delete', async () => {
      await del(`/training-jobs/${job.id}`);
      go('jobs');
    }, { kind: 'danger', confirmText: `Delete training job ${job.name} and all its versions? Outputs stay in the bucket.` }),
  );
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function jobPage(root, { params: [id], query, life }) {
  const signal = life.signal;
  let job = await get(`/training-jobs/${encodeURIComponent(id ?? '')}`, { signal });
  const wanted = query.get('version') ?? job.version;
  const parts = { header: h('div'), summary: h('section', { class: 'panel' }), phases: h('div'), versions: h('div') };
  const log = logPanel(job.id, signal, query.get('task'));
  const metrics = metricsPanel(job.id, signal);
  const versionPanel = h('section', { class: 'panel', hidden: true });
  fill(
    root,
    parts.header,
    h('div', { class: 'columns' }, parts.summary, h('section', { class: 'panel' }, h('h2', {}, 'Phases'), parts.phases)),
    versionPanel,
    metrics.el,
    log.el,
    h('section', { class: 'panel' }, h('h2', {}, 'Versions'), parts.versions),
  );

  const changed = changeTracker();
  const newVersion = (/** @type {Json} */ v) => () => {
    fill(versionPanel, h('h2', {}, 'New version'), newVersionForm(job, v));
    versionPanel.hidden = false;
    versionPanel.querySelector('input')?.focus();
  };
  const stop = (/** @type {Json} */ v) => async () => render(pickVersion((job = await post(`/training-jobs/${job.id}/stop?version=${v.version}`)), v.version));
  const render = (/** @type {Json} */ v) => {
    fill(parts.phases, table(['Phase', 'Entered', 'Time in phase'], phaseRows(v)));
    if (changed('header', [v.version, v.status])) fill(parts.header, jobHeader(job, v, { stop: stop(v), newVersion: newVersion(v) }));
    if (changed('job', job)) {
      fill(parts.summary, h('h2', {}, 'Summary'), summary(job, v));
      fill(parts.versions, versionsTable(job, v));
    }
  };
  let v = pickVersion(job, wanted);
  const update = async () => {
    render(v);
    log.start(v, () => dropLogged(refresh(), 'refreshing the job'));
    await metrics.refresh(v);
    return isActive(v);
  };
  const refresh = async () => {
    job = await get(`/training-jobs/${job.id}`, { signal });
    v = pickVersion(job, v.version);
    return update();
  };
  if (!(await update())) return;
  life.every(1000, refresh);
}
