// Forms: labelled fields, and the API's validation problems shown next to the fields they name.
import { h, errorText } from './dom.js';

let counter = 0;

/**
 * A labelled field. `path` is the JSON path of the request body it fills (as the API's
 * `errors[].path` names it), so a problem with it is shown right below it.
 * @param {string} label
 * @param {HTMLElement} control
 * @param {{ path?: string, hint?: Child }} [options]
 */
export function field(label, control, { path = '', hint } = {}) {
  control.id ||= `field-${++counter}`;
  const error = h('p', { class: 'field-error', id: `${control.id}-error` });
  const hintEl = hint ? h('p', { class: 'hint', id: `${control.id}-hint` }, hint) : null;
  control.setAttribute('aria-describedby', [hintEl?.id, error.id].filter(Boolean).join(' '));
  return h('div', { class: 'field', 'data-path': path }, h('label', { for: control.id }, label), control, hintEl, error);
}

/**
 * @param {string} name
 * @param {Record<string, any>} [attrs]
 */
export function textInput(name, attrs = {}) {
  return h('input', { type: 'text', name, autocomplete: 'off', spellcheck: 'false', ...attrs });
}

/**
 * @param {string} name
 * @param {[string, string][]} options value and text of each option
 * @param {string} [value]
 */
export function select(name, options, value) {
  return h('select', { name }, options.map(([v, text]) => h('option', { value: v, selected: v === value }, text)));
}

/**
 * The field whose path is the longest prefix of the problem's path.
 * @param {HTMLFormElement} form
 * @param {string} path
 */
function fieldFor(form, path) {
  /** @type {HTMLElement | undefined} */
  let best;
  for (const f of form.querySelectorAll('.field[data-path]')) {
    const p = /** @type {HTMLElement} */ (f).dataset.path;
    if (!p) continue;
    const matches = path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`);
    if (matches && (!best || p.length > (best.dataset.path ?? '').length)) best = /** @type {HTMLElement} */ (f);
  }
  return best;
}

/** @param {HTMLFormElement} form */
function clearErrors(form) {
  for (const e of form.querySelectorAll('.field-error')) e.textContent = '';
  for (const c of form.querySelectorAll('[aria-invalid]')) c.removeAttribute('aria-invalid');
  form.querySelector('.form-errors')?.replaceChildren();
}

/**
 * Puts each problem under its field; the message and problems without a field go in the summary.
 * @param {HTMLFormElement} form
 * @param {any} err an ApiError (with its problems), or any other error
 */
function showErrors(form, err) {
  clearErrors(form);
  /** @type {Problem[]} */
  const leftover = [];
  for (const p of err.problems ?? []) {
    const f = fieldFor(form, p.path);
    if (!f) {
      leftover.push(p);
      continue;
    }
    // A problem of the field itself needs no path; one inside it (parameters[1].name) does.
    const text = p.path === f.dataset.path ? p.message : `${p.path}: ${p.message}`;
    const out = f.querySelector('.field-error');
    if (out) out.textContent = out.textContent ? `${out.textContent} ${text}` : text;
    f.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
  }
  const placed = (err.problems?.length ?? 0) - leftover.length;
  const summary = form.querySelector('.form-errors');
  summary?.append(h('p', {}, placed && !leftover.length ? `Please fix the ${placed === 1 ? 'problem' : `${placed} problems`} marked above.` : errorText(err)));
  if (leftover.length) summary?.append(h('ul', {}, leftover.map((p) => h('li', {}, `${p.path}: ${p.message}`))));
  /** @type {HTMLElement | null} */ (form.querySelector('[aria-invalid="true"]') ?? summary)?.focus?.();
}

/**
 * A form that sends `build()` with `send` on submit and hands the answer to `done`;
 * the API's problems are shown next to the fields.
 * @template B, A
 * @param {{ label: string, fields: Child[], submit: string, build: (form: HTMLFormElement) => B, send: (body: B) => Promise<A>, done: (answer: A) => void }} spec
 */
export function apiForm({ label, fields, submit, build, send, done }) {
  const form = h(
    'form',
    { class: 'api-form', 'aria-label': label, novalidate: true },
    fields,
    h('div', { class: 'form-errors', role: 'alert', tabindex: '-1' }),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', class: 'primary' }, submit)),
  );
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const button = /** @type {HTMLButtonElement} */ (form.querySelector('button[type=submit]'));
    button.disabled = true;
    clearErrors(form);
    try {
      done(await send(build(form)));
    } catch (err) {
      showErrors(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

/**
 * The named control's trimmed value, or undefined when empty.
 * @param {HTMLFormElement} form
 * @param {string} name
 */
export function value(form, name) {
  const v = /** @type {HTMLInputElement | null} */ (form.elements.namedItem(name))?.value?.trim();
  return v ? v : undefined;
}
