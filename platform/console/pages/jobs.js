// Training jobs: the list with status badges, and the create form with the API's fields.
import { get, post } from '../lib/api.js';
import { badge, fill, formatDate, formatDuration, h, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, select, textInput, value } from '../lib/forms.js';
import { go, href, link } from '../lib/nav.js';

const PAGE = 20;

/** The ModelArts tutorial's job, for the "fill in" button: the bucket `npm start` prepares. */
/** @type {Record<'name' | 'engine' | 'code_dir' | 'boot_file' | 'data_url' | 'train_url', string> & { parameters: [string, string][] }} */
export const TUTORIAL_JOB = {
  name: 'trainjob-mnist',
  engine: 'tfjs',
  code_dir: 'obs://test-modelarts/mnist/mnist-tensorflow-code/',
  boot_file: 'train_mnist_tfjs.js',
  parameters: [['max_steps', '1000']],
  data_url: 'obs://test-modelarts/mnist/dataset-mnist/',
  train_url: 'obs://test-modelarts/mnist/mnist-model/',
};

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function jobsPage(root, { query, life }) {
  const offset = Math.max(0, Number(query.get('offset')) || 0);
  await life.watch(
    2000,
    (signal) => get(`/training-jobs?offset=${offset}&limit=${PAGE}`, { signal }),
    (list) => {
      const rows = list.items.map((/** @type {Json} */ j) => {
        const v = j.versions[j.versions.length - 1];
        return [link(`jobs/${j.id}`, j.name), j.version, h('span', {}, badge(j.status), v.stage ? ` ${v.stage}` : ''), j.algorithm.engine, formatDate(j.created_at), formatDuration(v.duration_ms)];
      });
      fill(
        root,
        pageHeader('Training jobs', h('a', { class: 'button primary', href: href('jobs/new') }, 'Create training job')),
        table(['Name', 'Version', 'Status', 'Engine', 'Created', 'Duration'], rows, { empty: 'No training jobs yet.' }),
        h(
          'div',
          { class: 'pager' },
          offset > 0 ? link(`jobs?offset=${Math.max(0, offset - PAGE)}`, 'Previous page') : null,
          h('span', {}, `${list.total ? offset + 1 : 0}-${Math.min(offset + PAGE, list.total)} of ${list.total}`),
          offset + PAGE < list.total ? link(`jobs?offset=${offset + PAGE}`, 'Next page') : null,
        ),
      );
    },
  );
}

/**
 * Rows of name/value inputs for `--name=value` parameters, and `fill` to replace them.
 * @param {string} path
 * @param {[string, string][]} [initial]
 * @returns {{ group: HTMLFieldSetElement, fill: (pairs: [string, string][]) => void }}
 */
export function parameterRows(path, initial = []) {
  const rows = h('div', { class: 'param-rows' });
  const add = (/** @type {[string, string]} */ [name, val] = ['', '']) => {
    const n = rows.children.length + 1;
    const row = h(
      'div',
      { class: 'param-row' },
      h('input', { type: 'text', class: 'param-name', value: name, 'aria-label': `Parameter ${n} name`, placeholder: 'name' }),
      h('input', { type: 'text', class: 'param-value', value: val, 'aria-label': `Parameter ${n} value`, placeholder: 'value' }),
      h('button', { type: 'button', onclick: () => row.remove(), 'aria-label': `Remove parameter ${n}` }, 'Remove'),
    );
    rows.append(row);
  };
  initial.forEach(add);
  const group = h(
    'fieldset',
    { class: 'field', 'data-path': path },
    h('legend', {}, 'Parameters'),
    h('p', { class: 'hint' }, 'Each is passed to the boot file as --name=value.'),
    rows,
    h('button', { type: 'button', onclick: () => add() }, 'Add parameter'),
    h('p', { class: 'field-error' }),
  );
  const fill = (/** @type {[string, string][]} */ pairs) => {
    rows.replaceChildren();
    pairs.forEach(add);
  };
  return { group, fill };
}

/**
 * The parameters a form's rows hold, as the API takes them.
 * @param {HTMLFormElement} form
 */
export function readParameters(form) {
  /** @type {(row: Element, cls: string) => string} */
  const input = (row, cls) => /** @type {HTMLInputElement} */ (row.querySelector(cls)).value;
  return [...form.querySelectorAll('.param-row')]
    .map((r) => ({ name: input(r, '.param-name').trim(), value: input(r, '.param-value') }))
    .filter((p) => p.name || p.value);
}

/** @param {HTMLElement} root */
export async function jobFormPage(root) {
  const params = parameterRows('algorithm.parameters');
  const form = apiForm({
    label: 'Create a training job',
    fields: [
      field('Name', textInput('name', { required: true }), { path: 'name', hint: "1-64 letters, digits, '_' or '-'" }),
      field('Description', h('textarea', { name: 'description', rows: 2 }), { path: 'description' }),
      field('Engine', select('engine', [['tfjs', 'tfjs (node with TensorFlow.js)'], ['node', 'node'], ['python', 'python (python3)']], 'tfjs'), { path: 'algorithm.engine' }),
      field('Code directory', textInput('code_dir', { placeholder: 'obs://bucket/code/' }), { path: 'algorithm.code_dir' }),
      field('Boot file', textInput('boot_file', { placeholder: 'train.js' }), { path: 'algorithm.boot_file', hint: 'Path inside the code directory.' }),
      params.group,
      field('Data input (data_url)', textInput('data_url', { placeholder: 'obs://bucket/data/' }), { path: 'data_url' }),
      field('Output path (train_url)', textInput('train_url', { placeholder: 'obs://bucket/output/' }), { path: 'train_url', hint: 'Each version writes V0001/, V0002/ … here.' }),
      field('Flavor', textInput('flavor', { value: 'modelarts.vm.cpu.2u' }), { path: 'resource.flavor' }),
      field('Node count', h('input', { type: 'number', name: 'node_count', min: 1, max: 8, value: 1 }), { path: 'resource.node_count' }),
      field('Existing outputs', h('label', {}, h('input', { type: 'checkbox', name: 'overwrite_outputs' }), ' overwrite them'), {
        path: 'overwrite_outputs',
        hint: "Off: an output path that already holds another job's outputs is refused, and nothing there is changed.",
      }),
    ],
    submit: 'Create',
    build: (f) => {
      const nodes = value(f, 'node_count');
      return {
        name: value(f, 'name') ?? '',
        description: value(f, 'description'),
        algorithm: { engine: value(f, 'engine'), code_dir: value(f, 'code_dir') ?? '', boot_file: value(f, 'boot_file') ?? '', parameters: readParameters(f) },
        data_url: value(f, 'data_url'),
        train_url: value(f, 'train_url'),
        resource: { flavor: value(f, 'flavor'), node_count: nodes === undefined ? undefined : Number(nodes) },
        overwrite_outputs: /** @type {HTMLInputElement} */ (f.elements.namedItem('overwrite_outputs')).checked || undefined,
      };
    },
    send: (body) => post('/training-jobs', body),
    done: (job) => go(`jobs/${job.id}`),
  });
  const tutorial = () => {
    for (const k of /** @type {const} */ (['name', 'engine', 'code_dir', 'boot_file', 'data_url', 'train_url'])) {
      /** @type {HTMLInputElement} */ (form.elements.namedItem(k)).value = TUTORIAL_JOB[k];
    }
    params.fill(TUTORIAL_JOB.parameters);
  };
  fill(root, pageHeader('Create training job', h('button', { type: 'button', onclick: tutorial }, 'Fill in the MNIST tutorial')), form);
}
