// Object storage: buckets, then folders and objects with uploads (progress), downloads and deletes.
import { api, ApiError, authHeaders, del, downloadObject, get, listObjects, objectPath, post, uploadObject } from '../lib/api.js';
import { actionButton, announce, errorText, fill, formatBytes, formatDate, h, notice, pageHeader, table } from '../lib/dom.js';
import { apiForm, field, textInput, value } from '../lib/forms.js';
import { go, link, storagePath } from '../lib/nav.js';

const PAGE_SIZE = 50;
const UPLOAD_CONCURRENCY = 3;

/** @typedef {{ tokens: (string | undefined)[], page: number }} Pager */

/**
 * @param {HTMLElement} root
 * @param {PageContext} context
 */
export async function storagePage(root, { params, life }) {
  const [bucket, ...folders] = (params[0] ?? '').split('/').filter(Boolean).map(decodeURIComponent);
  if (!bucket) return bucketsView(root, life);
  return folderView(root, bucket, folders.length ? `${folders.join('/')}/` : '', life);
}

/**
 * @param {HTMLElement} root
 * @param {PageLife} life
 */
async function bucketsView(root, life) {
  /** @type {{ buckets: Json[] }} */
  const { buckets } = await get('/buckets', { signal: life.signal });
  const form = apiForm({
    label: 'Create a bucket',
    fields: [field('Bucket name', textInput('name', { placeholder: 'my-bucket', required: true }), { path: 'name', hint: '3-63 lowercase letters, digits, "." and "-"' })],
    submit: 'Create bucket',
    build: (f) => ({ name: value(f, 'name') ?? '' }),
    send: (body) => post('/buckets', body),
    done: (b) => go(storagePath(b.name)),
  });
  const rows = buckets.map((b) => [
    link(storagePath(b.name), b.name),
    formatDate(b.created_at),
    actionButton('Delete', async () => {
      await del(`/buckets/${encodeURIComponent(b.name)}`);
      go('storage');
      announce(`bucket ${b.name} deleted`);
    }, { kind: 'danger', confirmText: `Delete the empty bucket ${b.name}?` }),
  ]);
  fill(root, pageHeader('Object storage'), table(['Bucket', 'Created', ''], rows, { empty: 'No buckets yet.' }), h('section', { class: 'panel' }, h('h2', {}, 'New bucket'), form));
}

/**
 * @param {string} bucket
 * @param {string} prefix
 */
function breadcrumbs(bucket, prefix) {
  const parts = prefix.split('/').filter(Boolean);
  const crumbs = [link('storage', 'Buckets'), link(storagePath(bucket), bucket)];
  parts.forEach((p, i) => crumbs.push(link(storagePath(bucket, `${parts.slice(0, i + 1).join('/')}/`), p)));
  crumbs[crumbs.length - 1].setAttribute('aria-current', 'page');
  return h('nav', { 'aria-label': 'Breadcrumb', class: 'crumbs' }, h('ol', {}, crumbs.map((c) => h('li', {}, c))));
}

/**
 * @param {HTMLElement} root
 * @param {string} bucket
 * @param {string} prefix
 * @param {PageLife} life
 */
async function folderView(root, bucket, prefix, life) {
  const listing = h('div', { class: 'listing' });
  const uploads = h('ul', { class: 'uploads', 'aria-label': 'Uploads' });
  const uploadPanel = h('section', { class: 'panel', hidden: true }, h('h2', {}, 'Uploads'), uploads);
  new MutationObserver(() => (uploadPanel.hidden = !uploads.children.length)).observe(uploads, { childList: true });
  /** @type {Pager} */
  const pager = { tokens: [undefined], page: 0 };
  const reload = async () => {
    const page = await listObjects(bucket, { prefix, token: pager.tokens[pager.page], limit: PAGE_SIZE }, { signal: life.signal });
    pager.tokens[pager.page + 1] = page.next_token;
    renderListing(listing, bucket, prefix, page, pager, reload);
  };
  fill(
    root,
    pageHeader(prefix ? prefix.split('/').filter(Boolean).pop() : bucket),
    breadcrumbs(bucket, prefix),
    toolbar(bucket, prefix, uploads, () => {
      pager.page = 0;
      return reload();
    }),
    uploadPanel,
    listing,
  );
  await reload();
}

/**
 * @param {string} bucket
 * @param {string} prefix
 * @param {HTMLElement} uploads
 * @param {() => Promise<void>} reload
 */
function toolbar(bucket, prefix, uploads, reload) {
  const files = h('input', { type: 'file', multiple: true, id: 'upload-files', class: 'file-input' });
  const folder = h('input', { type: 'file', multiple: true, webkitdirectory: true, id: 'upload-folder', class: 'file-input' });
  /** @type {(input: HTMLInputElement, keyOf: (f: File) => string) => void} */
  const start = (input, keyOf) => {
    const chosen = [...(input.files ?? [])];
    input.value = '';
    if (chosen.length) uploadAll(bucket, chosen.map((f) => ({ file: f, key: prefix + keyOf(f) })), uploads).then(reload);
  };
  files.addEventListener('change', () => start(files, (f) => f.name));
  folder.addEventListener('change', () => start(folder, (f) => f.webkitRelativePath || f.name));
  const newFolder = apiForm({
    label: 'Create a folder',
    fields: [field('New folder', textInput('folder', { placeholder: 'folder-name' }), { path: 'key' })],
    submit: 'Create folder',
    build: (f) => (value(f, 'folder') ?? '').replace(/\/+$/, ''),
    send: (name) => {
      if (!name) throw new ApiError(400, { error_msg: 'name the new folder', errors: [{ path: 'key', message: 'is required' }] });
      return api('PUT', objectPath(bucket, `${prefix}${name}/`));
    },
    done: () => reload(),
  });
  return h(
    'div',
    { class: 'toolbar' },
    files,
    h('label', { class: 'button', for: files.id }, 'Upload files'),
    folder,
    h('label', { class: 'button', for: folder.id }, 'Upload folder'),
    newFolder,
  );
}

/**
 * Uploads files a few at a time, each with its own progress bar; failures stay listed.
 * @param {string} bucket
 * @param {{ file: File, key: string }[]} items
 * @param {HTMLElement} list
 */
async function uploadAll(bucket, items, list) {
  const rows = items.map(({ file, key }) => {
    const bar = h('progress', { max: file.size || 1, value: 0, 'aria-label': `Upload of ${key}` });
    const state = h('span', { class: 'upload-state' }, 'waiting');
    list.append(h('li', { 'data-key': key }, h('span', { class: 'upload-name' }, key), bar, state));
    return { file, key, bar, state };
  });
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < rows.length) {
      const r = rows[next++];
      r.state.textContent = 'uploading';
      try {
        await uploadObject(bucket, r.key, r.file, (sent) => (r.bar.value = sent));
        r.bar.value = r.bar.max;
        r.state.textContent = `uploaded (${formatBytes(r.file.size)})`;
        r.state.parentElement?.classList.add('uploaded');
      } catch (err) {
        r.state.textContent = `failed: ${errorText(err)}`;
        r.state.parentElement?.classList.add('failed');
      }
      announce(`${++done} of ${rows.length} uploads finished`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(UPLOAD_CONCURRENCY, rows.length) }, worker));
}

/**
 * @param {HTMLElement} el
 * @param {string} bucket
 * @param {string} prefix
 * @param {Json} page one page of the listing, as the API answers it
 * @param {Pager} pager
 * @param {() => Promise<void>} reload
 */
function renderListing(el, bucket, prefix, page, pager, reload) {
  const name = (/** @type {string} */ key) => key.slice(prefix.length);
  const remove = (/** @type {string} */ key, /** @type {string} */ what) =>
    actionButton('Delete', async () => {
      const { deleted } = await del(objectPath(bucket, key));
      announce(`${what} deleted (${deleted} object${deleted === 1 ? '' : 's'})`);
      await reload();
    }, { kind: 'danger', confirmText: `Delete ${what}?` });
  const folderRows = page.folders.map((/** @type {string} */ f) => [
    h('span', { class: 'folder' }, link(storagePath(bucket, f), `${name(f)}`)),
    '',
    '',
    remove(f, `folder ${name(f)} and everything in it`),
  ]);
  // The folder's own marker object (an empty key ending in "/") is the folder itself, not a row.
  const objectRows = page.objects
    .filter((/** @type {Json} */ o) => o.key !== prefix)
    .map((/** @type {Json} */ o) => [
      name(o.key),
      formatBytes(o.size),
      formatDate(o.last_modified),
      h('span', { class: 'row-actions' }, h('a', {
        href: objectPath(bucket, o.key),
        download: name(o.key),
        onclick: (/** @type {MouseEvent} */ e) => {
          // A plain link cannot carry the platform token: fetch the file instead.
          if (!Object.keys(authHeaders()).length) return;
          e.preventDefault();
          downloadObject(bucket, o.key, name(o.key)).catch((err) => announce(errorText(err)));
        },
      }, 'Download'), remove(o.key, name(o.key))),
    ]);
  const turn = (/** @type {number} */ delta) => async () => {
    pager.page += delta;
    await reload();
  };
  fill(
    el,
    table(['Name', 'Size', 'Last modified', ''], [...folderRows, ...objectRows], { empty: 'This folder is empty.', caption: `obs://${bucket}/${prefix}` }),
    h(
      'div',
      { class: 'pager' },
      h('button', { type: 'button', disabled: pager.page === 0, onclick: turn(-1) }, 'Previous page'),
      h('span', { 'aria-live': 'polite' }, `Page ${pager.page + 1}`),
      h('button', { type: 'button', disabled: !page.next_token, onclick: turn(1) }, 'Next page'),
    ),
    page.folders.length + objectRows.length === 0 && pager.page > 0 ? notice('No more entries.', 'info') : null,
  );
}
