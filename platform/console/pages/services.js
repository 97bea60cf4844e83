// Services, real-time and batch: the list and the real-time deploy form (batch-service.js has the batch one).
import { get, post } from '../lib/api.js';
import { badge, fill, formatDate, h, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, select, textInput, value } from '../lib/forms.js';
import { go, href, link } from '../lib/nav.js';

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function servicesPage(root, { life }) {
  await life.watch(
    2000,
    (signal) => get('/services', { signal }),
    (list) => {
      const rows = list.items.map((/** @type {Json} */ s) => [
        link(`services/${s.id}`, s.name),
        s.infer_type ?? 'real-time',
        badge(s.status),
        link(`models/${s.model_id}`, `${s.model_name} ${s.model_version}`),
        s.infer_type === 'batch'
          ? `${s.progress.done} of ${s.progress.total} inputs scored`
          : `${s.instances.filter((/** @type {Json} */ i) => i.state === 'ready').length} of ${s.instance_count} ready`,
        String(s.infer_type === 'batch' ? s.progress.done : s.request_count),
        formatDate(s.created_at),
      ]);
      fill(
        root,
        pageHeader('Services', h('a', { class: 'button primary', href: href('services/new') }, 'Deploy service'), h('a', { class: 'button', href: href('services/new-batch') }, 'Deploy batch service')),
        table(['Name', 'Type', 'Status', 'Model', 'Instances or progress', 'Requests', 'Created'], rows, { empty: 'No services yet: deploy a published model.' }),
      );
    },
  );
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function deployPage(root, { query, life }) {
  /** @type {{ items: Json[] }} */
  const { items } = await get('/models?status=published', { signal: life.signal });
  const options = items.map((m) => /** @type {[string, string]} */ ([m.id, `${m.name} ${m.version}`]));
  const form = apiForm({
    label: 'Deploy a real-time service',
    fields: [
      field('Name', textInput('name', { value: 'mnist-service' }), { path: 'name' }),
      field('Model', select('model_id', options.length ? options : [['', 'no published model yet']], query.get('model') ?? options[0]?.[0]), { path: 'model_id' }),
      field('Instances', h('input', { type: 'number', name: 'instance_count', min: 1, max: 16, value: 1 }), { path: 'instance_count', hint: 'Each instance is its own process.' }),
      field('Specification', textInput('specification', { value: 'modelarts.vm.cpu.2u' }), { path: 'specification' }),
    ],
    submit: 'Deploy',
    build: (f) => {
      const count = value(f, 'instance_count');
      return {
        name: value(f, 'name') ?? '',
        model_id: value(f, 'model_id') ?? '',
        instance_count: count === undefined ? undefined : Number(count),
        specification: value(f, 'specification'),
      };
    },
    send: (body) => post('/services', body),
    done: (s) => go(`services/${s.id}`),
  });
  fill(root, pageHeader('Deploy service'), form);
}
