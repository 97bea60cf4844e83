// Models: the list, and import from a training job's version or from a bucket folder.
import { get, post } from '../lib/api.js';
import { badge, fill, formatBytes, formatDate, h, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, select, textInput, value } from '../lib/forms.js';
import { go, href, link } from '../lib/nav.js';

/** @param {Json | undefined} source a model's `source` */
export function sourceText(source) {
  if (source?.type === 'training_job') return link(`jobs/${source.training_job_id}?version=${source.training_job_version}`, `${source.training_job_name} ${source.training_job_version}`);
  return source?.url ?? '';
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function modelsPage(root, { life }) {
  await life.watch(
    3000,
    (signal) => get('/models', { signal }),
    (list) => {
      const rows = list.items.map((/** @type {Json} */ m) => [link(`models/${m.id}`, m.name), m.version, badge(m.status), m.model_type, formatBytes(m.size_bytes), sourceText(m.source), formatDate(m.created_at)]);
      fill(
        root,
        pageHeader('Models', h('a', { class: 'button primary', href: href('models/import') }, 'Import model')),
        table(['Name', 'Version', 'Status', 'Type', 'Size', 'Source', 'Created'], rows, { empty: 'No models yet: import one from a completed training job.' }),
      );
    },
  );
}

/**
 * Every completed version of every job, newest first, as select options "id|version".
 * @param {AbortSignal} signal
 * @returns {Promise<[string, string][]>}
 */
async function completedVersions(signal) {
  /** @type {{ items: Json[] }} */
  const { items } = await get('/training-jobs?limit=100', { signal });
  return items.flatMap((j) =>
    /** @type {Json[]} */ ([...j.versions])
      .reverse()
      .filter((v) => v.status === 'Completed')
      .map((v) => /** @type {[string, string]} */ ([`${j.id}|${v.version}`, `${j.name} ${v.version}`])),
  );
}

/** @param {(e: Event) => void} onChange */
function sourceChoice(onChange) {
  /** @type {(v: string, text: string, checked: boolean) => HTMLLabelElement} */
  const radio = (v, text, checked) =>
    h('label', { class: 'choice' }, h('input', { type: 'radio', name: 'source', value: v, checked, onchange: onChange }), ` ${text}`);
  return h('fieldset', { class: 'field' }, h('legend', {}, 'Source'), radio('job', 'A training job version', true), radio('obs', 'An OBS folder that holds model/', false));
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function importPage(root, { query, life }) {
  const versions = await completedVersions(life.signal);
  const preset = query.get('job') ? `${query.get('job')}|${query.get('version')}` : versions[0]?.[0];
  const jobField = field('Training job version', select('job_version', versions.length ? versions : [['', 'no completed training job yet']], preset), { path: 'training_job_id' });
  const urlField = field('OBS folder', textInput('url', { placeholder: 'obs://bucket/output/V0001/' }), { path: 'url' });
  urlField.hidden = true;
  const switchSource = (/** @type {Event} */ e) => {
    const choice = /** @type {HTMLInputElement} */ (e.target).value;
    jobField.hidden = choice !== 'job';
    urlField.hidden = choice !== 'obs';
  };
  const form = apiForm({
    label: 'Import a model',
    fields: [
      field('Name', textInput('name', { value: 'mnist' }), { path: 'name', hint: 'Starts with a letter; letters, digits, "_" and "-".' }),
      field('Version', textInput('version', { value: '1.0.0' }), { path: 'version', hint: 'Like 1.0.0.' }),
      field('Description', textInput('description'), { path: 'description' }),
      sourceChoice(switchSource),
      jobField,
      urlField,
    ],
    submit: 'Import',
    build: (f) => {
      const base = { name: value(f, 'name') ?? '', version: value(f, 'version') ?? '', description: value(f, 'description') };
      if (/** @type {RadioNodeList} */ (f.elements.namedItem('source')).value === 'obs') return { ...base, url: value(f, 'url') ?? '' };
      const [jobId, version] = (value(f, 'job_version') ?? '').split('|');
      return { ...base, training_job_id: jobId ?? '', training_job_version: version };
    },
    send: (body) => post('/models/import', body),
    done: (model) => go(`models/${model.id}`),
  });
  fill(root, pageHeader('Import model'), form);
}
