// Batch services: the deploy form, and a batch's page (progress, inputs and outputs, instances, events).
import { del, get, post } from '../lib/api.js';
import { actionButton, badge, facts, fill, formatDate, formatDuration, h, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, select, textInput, value } from '../lib/forms.js';
import { eventsPanel, serviceFacts } from '../lib/service-parts.js';
import { go, obsLink } from '../lib/nav.js';

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function batchDeployPage(root, { query, life }) {
  /** @type {{ items: Json[] }} */
  const { items } = await get('/models?status=published', { signal: life.signal });
  const options = items.map((m) => /** @type {[string, string]} */ ([m.id, `${m.name} ${m.version}`]));
  const form = apiForm({
    label: 'Deploy a batch service',
    fields: [
      field('Name', textInput('name', { value: 'mnist-batch' }), { path: 'name' }),
      field('Model', select('model_id', options.length ? options : [['', 'no published model yet']], query.get('model') ?? options[0]?.[0]), { path: 'model_id' }),
      field('Input path', textInput('src_path', { value: 'obs://test-modelarts/mnist/batch-input/' }), { path: 'src_path', hint: 'An OBS folder (every object in it is an input), or a .manifest file.' }),
      field('Input is a .manifest file', h('input', { type: 'checkbox', name: 'manifest' }), { path: 'src_type' }),
      field('Output path', textInput('dest_path', { value: 'obs://test-modelarts/mnist/batch-output/' }), { path: 'dest_path', hint: 'infer-result-<task>.manifest and the result files go here.' }),
      field('Request path', textInput('req_uri', { value: '/' }), { path: 'req_uri', hint: "One of the model's config.json apis URLs." }),
      field('Mapping', select('mapping_type', [['file', 'file: one request per file'], ['csv', 'csv: one request per row of the .csv files']], 'file'), { path: 'mapping_type' }),
      field('Mapping rule (csv)', h('textarea', { name: 'mapping_rule', rows: 4, spellcheck: 'false' }), { path: 'mapping_rule', hint: 'The request data of config.json with an "index" (column, from 0) on each field the CSV fills.' }),
      field('Instances', h('input', { type: 'number', name: 'instance_count', min: 1, max: 16, value: 1 }), { path: 'instance_count', hint: 'The inputs are shared among them.' }),
    ],
    submit: 'Deploy',
    build: (f) => {
      const rule = value(f, 'mapping_rule');
      const manifest = /** @type {HTMLInputElement} */ (f.elements.namedItem('manifest')).checked;
      return {
        name: value(f, 'name') ?? '',
        infer_type: 'batch',
        model_id: value(f, 'model_id') ?? '',
        src_path: value(f, 'src_path') ?? '',
        dest_path: value(f, 'dest_path') ?? '',
        req_uri: value(f, 'req_uri') ?? '/',
        mapping_type: value(f, 'mapping_type'),
        mapping_rule: rule === undefined ? undefined : parseRule(rule),
        src_type: manifest ? 'ManifestFile' : undefined,
        instance_count: Number(value(f, 'instance_count') ?? 1),
      };
    },
    send: (body) => post('/services', body),
    done: (s) => go(`services/${s.id}`),
  });
  fill(root, pageHeader('Deploy batch service'), form);
}

/**
 * The rule as JSON; text that is not JSON is sent as it is, for the API to say so next to the field.
 * @param {string} text
 */
function parseRule(text) {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * @param {Json} s
 * @param {(s: Json) => void} refresh
 */
export function batchHeader(s, refresh) {
  return pageHeader(
    h('span', {}, `${s.name} `, badge(s.status)),
    ['deploying', 'running'].includes(s.status) ? actionButton('Stop', async () => refresh(await post(`/services/${s.id}/stop`))) : null,
    actionButton('Delete', async () => {
      await del(`/services/${s.id}`);
      go('services');
    }, { kind: 'danger', confirmText: `Delete batch service ${s.name}? Its outputs stay in OBS.` }),
  );
}

/** @param {Json} s */
export function batchOverview(s) {
  const { total, done, failed } = s.progress;
  const percent = total ? Math.floor((done / total) * 100) : 0;
  const took = s.started_at ? formatDuration((s.finished_at ? Date.parse(s.finished_at) : Date.now()) - Date.parse(s.started_at)) : undefined;
  const instances = s.instances.map((/** @type {Json} */ i) => [String(i.index), badge(i.state), String(i.pid ?? ''), i.load_ms === undefined ? '' : formatDuration(i.load_ms), String(i.requests), String(i.restarts)]);
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
          ['Input path', obsLink(s.batch.src_path)],
          ['Output path', obsLink(s.batch.dest_path)],
          ['Request', `POST ${s.batch.req_uri} (mapping ${s.batch.mapping_type}${s.batch.src_type ? `, ${s.batch.src_type}` : ''})`],
          ['Instances', `${s.instance_count} × ${s.specification}`],
          ['Created', formatDate(s.created_at)],
        ]),
      ),
      h(
        'section',
        { class: 'panel' },
        h('h2', {}, 'Progress'),
        h('progress', { max: 100, value: percent, 'aria-label': 'inputs scored' }),
        facts([
          ['Inputs scored', `${done} of ${total} (${percent}%)`],
          ['Failed', String(failed)],
          ['Time', took],
          ['Manifest', h('span', {}, ...s.outputs.manifests.map((/** @type {string} */ m) => h('div', {}, obsLink(m))))],
          ['Result files', obsLink(s.outputs.results)],
        ]),
      ),
    ),
    h('section', { class: 'panel' }, h('h2', {}, 'Instances'), table(['#', 'State', 'PID', 'Load time', 'Inputs answered', 'Restarts'], instances, { empty: 'No instances yet.' })),
    eventsPanel(s),
  ];
}
