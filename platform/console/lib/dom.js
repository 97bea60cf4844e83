// Building blocks for pages: an element builder, formatting, and the few widgets every page uses.

/**
 * h('a', { href: '#/', class: 'x', onclick: fn }, 'text', child, [more]) → an element.
 * Strings become text nodes (never HTML), null/false children are skipped.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Record<string, any> | null} [attrs]
 * @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) el.addEventListener(name.slice(2), value);
    else if (name === 'class') el.className = value;
    else if (name in el && typeof value !== 'string') /** @type {Record<string, any>} */ (el)[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Child[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/**
 * Replaces an element's content.
 * @template {Element} E
 * @param {E} el
 * @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** @param {number | null | undefined} n */
export function formatBytes(n) {
  if (n === undefined || n === null) return '';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${n} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** @param {string | null | undefined} iso */
export function formatDate(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  const pad = (/** @type {number} */ x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** @param {number | null | undefined} ms */
export function formatDuration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s - m * 60)} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

/**
 * JSON with two-space indents, but arrays of plain values kept on one line (score pairs, shapes).
 * @param {unknown} value
 */
export function formatJson(value) {
  return JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, /** @type {string} */ inner) => `[${inner.replace(/\s*\n\s*/g, ' ')}]`);
}

/** @param {unknown} v */
export function formatNumber(v) {
  if (typeof v !== 'number') return String(v ?? '');
  if (Number.isInteger(v)) return String(v);
  return Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(4);
}

/** @type {Record<string, string[]>} */
const TONES = {
  good: ['Completed', 'published', 'running', 'ready', 'finished'],
  bad: ['Failed', 'Abnormal', 'failed'],
  busy: ['Creating', 'Pending', 'Running', 'Terminating', 'publishing', 'deploying', 'stopping', 'starting', 'restarting', 'draining'],
  warn: ['concerning'],
};

/**
 * A status word as a coloured badge; the word itself carries the meaning, not the colour.
 * @param {string | undefined} status
 */
export function badge(status) {
  const tone = Object.keys(TONES).find((t) => status !== undefined && TONES[t].includes(status)) ?? 'idle';
  return h('span', { class: `badge badge-${tone}`, 'data-status': status }, status ?? 'unknown');
}

/**
 * A table from column headers and rows of cells; `empty` is shown when there are no rows.
 * @param {Child[]} headers
 * @param {Child[][]} rows
 * @param {{ caption?: string, empty?: string }} [options]
 */
export function table(headers, rows, { caption, empty = 'Nothing here yet.' } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'table',
    {},
    caption ? h('caption', {}, caption) : null,
    h('thead', {}, h('tr', {}, headers.map((x) => h('th', { scope: 'col' }, x)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))),
  );
}

/**
 * A description list from [term, value] pairs; empty values are left out.
 * @param {[string, Child][]} pairs
 */
export function facts(pairs) {
  return h(
    'dl',
    { class: 'facts' },
    pairs.filter(([, v]) => v !== undefined && v !== null && v !== '').map(([k, v]) => h('div', {}, h('dt', {}, k), h('dd', {}, v))),
  );
}

/**
 * A message box; errors are announced to screen readers as they appear.
 * @param {Child} text
 * @param {'error' | 'info' | 'warn'} [kind]
 */
export function notice(text, kind = 'error') {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

/** @param {any} err */
export function errorText(err) {
  return err?.code ? `${err.message} (${err.code})` : String(err?.message ?? err);
}

/**
 * @param {Child} title
 * @param {...Child} actions
 */
export function pageHeader(title, ...actions) {
  return h('div', { class: 'page-header' }, h('h1', {}, title), h('div', { class: 'actions' }, actions));
}

/** @param {string} text */
export function announce(text) {
  const el = document.getElementById('announcer');
  if (el) el.textContent = text;
}

/**
 * Runs an async action from a button, disabling it meanwhile and showing a failure next to it.
 * @param {string} label
 * @param {() => Promise<unknown>} action
 * @param {{ kind?: string, confirmText?: string }} [options]
 */
export function actionButton(label, action, { kind = '', confirmText } = {}) {
  const out = h('span', { class: 'action-error', role: 'alert' });
  const button = h('button', {
    type: 'button',
    class: kind,
    onclick: async () => {
      if (confirmText && !window.confirm(confirmText)) return;
      button.disabled = true;
      out.textContent = '';
      try {
        await action();
      } catch (err) {
        out.textContent = errorText(err);
      } finally {
        button.disabled = false;
      }
    },
  }, label);
  return h('span', { class: 'action' }, button, out);
}
