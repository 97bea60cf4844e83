// A model: its config.json, its API as readable tables, metrics, files and where it came from.
import { del, get } from '../lib/api.js';
import { actionButton, badge, facts, fill, formatBytes, formatDate, formatJson, formatNumber, h, pageHeader, table } from '../lib/dom.js';
import { go, href, obsLink } from '../lib/nav.js';
import { sourceText } from './models.js';

/** @param {Json} schema */
function typeOf(schema) {
  if (Array.isArray(schema.type)) return schema.type.join(' | ');
  return schema.type ?? (schema.properties ? 'object' : schema.items ? 'array' : 'any');
}

/**
 * What a schema node says beyond its type: allowed values, bounds, patterns, its description.
 * @param {Json} schema
 */
function constraints(schema) {
  const out = [];
  if (schema.enum) out.push(`one of ${schema.enum.map((/** @type {unknown} */ e) => JSON.stringify(e)).join(', ')}`);
  for (const [k, word] of /** @type {[string, string][]} */ ([['minimum', '≥'], ['maximum', '≤'], ['minItems', 'items ≥'], ['maxItems', 'items ≤'], ['minLength', 'length ≥'], ['maxLength', 'length ≤']])) {
    if (schema[k] !== undefined) out.push(`${word} ${schema[k]}`);
  }
  if (schema.pattern) out.push(`matches ${schema.pattern}`);
  if (schema.format) out.push(`format ${schema.format}`);
  if (schema.description) out.push(schema.description);
  return out.join('; ');
}

/**
 * A JSON Schema flattened into rows [field, type, required, constraints]: `a.b` for
 * properties, `a[]` for array items, `a[0]` for positions of a tuple.
 * @param {Json | undefined} schema
 * @param {string} [path]
 * @param {boolean} [required]
 * @param {Child[][]} [out]
 * @returns {Child[][]}
 */
function schemaRows(schema, path = '', required = false, out = []) {
  if (!schema || typeof schema !== 'object') return out;
  if (path) out.push([h('code', {}, path), typeOf(schema), required ? 'yes' : 'no', constraints(schema)]);
  for (const [k, sub] of /** @type {[string, Json][]} */ (Object.entries(schema.properties ?? {}))) {
    schemaRows(sub, path ? `${path}.${k}` : k, (schema.required ?? []).includes(k), out);
  }
  if (Array.isArray(schema.items)) schema.items.forEach((/** @type {Json} */ sub, /** @type {number} */ i) => schemaRows(sub, `${path}[${i}]`, true, out));
  else if (schema.items) schemaRows(schema.items, `${path}[]`, false, out);
  return out;
}

/** @param {Json | undefined} part */
function contentType(part) {
  return part?.['Content-type'] ?? part?.['Content-Type'] ?? part?.content_type ?? '';
}

/** @param {Json} api */
function apiSection(api) {
  const part = (/** @type {string} */ title, /** @type {Json | undefined} */ p) => [
    h('h4', {}, `${title}${contentType(p) ? ` (${contentType(p)})` : ''}`),
    table(['Field', 'Type', 'Required', 'Constraints'], schemaRows(p?.data), { empty: 'No schema given.', caption: `${title} fields` }),
  ];
  return h(
    'div',
    { class: 'api' },
    h('h3', {}, h('code', {}, `${String(api.method ?? '').toUpperCase()} ${api.url ?? ''}`), ` over ${api.protocol ?? api.procotol ?? 'http'}`),
    part('Request', api.request),
    part('Response', api.response),
  );
}

/** @param {Json[]} models */
function packagedModels(models) {
  /** @type {(io: Json[]) => string} */
  const shape = (io) => io.map((x) => `${x.name} ${x.dtype}[${(x.shape ?? []).map((/** @type {number | null} */ d) => d ?? '?').join(',')}]`).join(', ');
  return table(['Folder', 'Format', 'Inputs', 'Outputs'], models.map((m) => [m.path || 'model/', m.format, shape(m.inputs), shape(m.outputs)]));
}

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function modelPage(root, { params: [id], life }) {
  const m = await get(`/models/${encodeURIComponent(id ?? '')}`, { signal: life.signal });
  const metrics = Object.entries(m.metrics ?? {}).map(([k, v]) => [k, formatNumber(v)]);
  fill(
    root,
    pageHeader(
      `${m.name} ${m.version}`,
      m.status === 'published' ? h('a', { class: 'button primary', href: href(`services/new?model=${m.id}`) }, 'Deploy') : null,
      actionButton('Delete', async () => {
        await del(`/models/${m.id}`);
        go('models');
      }, { kind: 'danger', confirmText: `Delete model ${m.name} ${m.version}?` }),
    ),
    h(
      'section',
      { class: 'panel' },
      h('h2', {}, 'Summary'),
      facts([
        ['Status', badge(m.status)],
        ['Reason', m.reason],
        ['Model id', h('code', {}, m.id)],
        ['Type', m.model_type],
        ['Algorithm', m.model_algorithm],
        ['Runtime', m.runtime],
        ['Source', sourceText(m.source)],
        ['Platform copy', obsLink(m.package_url)],
        ['Inference code', m.hook_file],
        ['Size', formatBytes(m.size_bytes)],
        ['Content hash', h('code', {}, m.content_hash)],
        ['Imported', formatDate(m.created_at)],
      ]),
      m.warnings?.length ? h('ul', { class: 'warnings', 'aria-label': 'Warnings' }, m.warnings.map((/** @type {Problem} */ w) => h('li', {}, `${w.path}: ${w.message}`))) : null,
    ),
    h('section', { class: 'panel' }, h('h2', {}, 'API'), (m.apis ?? []).length ? m.apis.map(apiSection) : h('p', { class: 'empty' }, 'config.json declares no API.')),
    h('section', { class: 'panel' }, h('h2', {}, 'Metrics'), table(['Metric', 'Value'], metrics, { empty: 'config.json declares no metrics.' })),
    h('section', { class: 'panel' }, h('h2', {}, 'Model files'), packagedModels(m.models ?? []), table(['File', 'Size'], (m.files ?? []).map((/** @type {Json} */ f) => [f.path, formatBytes(f.size)]))),
    h('section', { class: 'panel' }, h('h2', {}, 'config.json'), h('pre', { class: 'json', tabindex: '0', 'aria-label': 'config.json' }, formatJson(m.config))),
  );
}
