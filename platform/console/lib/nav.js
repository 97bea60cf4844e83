// Hash routes: the console is one page at `/`, so the API keeps every other path.
import { h } from './dom.js';

/** @param {string} path */
export function href(path) {
  return `#/${path}`;
}

/**
 * @param {string} path
 * @param {Child} text
 * @param {Record<string, any>} [attrs]
 */
export function link(path, text, attrs = {}) {
  return h('a', { href: href(path), ...attrs }, text);
}

/** @param {string} path */
export function go(path) {
  location.hash = href(path);
}

/**
 * A storage-browser path for a bucket and a folder prefix (each segment escaped).
 * @param {string} bucket
 * @param {string} [prefix]
 */
export function storagePath(bucket, prefix = '') {
  return ['storage', bucket, ...prefix.split('/').filter(Boolean)].map(encodeURIComponent).join('/') + (prefix ? '/' : '');
}

/**
 * The storage-browser link for an obs:// folder or object (its folder).
 * @param {string | undefined} url
 */
export function obsLink(url) {
  const m = /^(?:obs|s3):\/\/([^/]+)\/(.*)$/.exec(url ?? '');
  if (!m) return url ?? '';
  const folder = m[2].endsWith('/') || m[2] === '' ? m[2] : m[2].slice(0, m[2].lastIndexOf('/') + 1);
  return link(storagePath(m[1], folder), url);
}
