// The console talks to the platform only through its public HTTP API, as any client would.

export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {any} body the API's error body, when it had one
   */
  constructor(status, body) {
    super(body?.error_msg ?? `the platform answered HTTP ${status}`);
    this.status = status;
    this.code = body?.error_code;
    /** @type {Problem[]} for requests with field problems */
    this.problems = body?.errors ?? [];
  }
}

/** @param {string} text */
function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Lets best-effort work (a refresh, an optional lookup) fail quietly for the page, but not for the browser's console.
 * @template T
 * @param {Promise<T>} work
 * @param {string} what
 * @returns {Promise<T | undefined>}
 */
export function dropLogged(work, what) {
  return work.catch((err) => {
    console.warn(`${what} failed:`, err);
    return undefined;
  });
}

const TOKEN_KEY = 'modelarts-local-token';

/**
 * The platform token (AUTH_TOKEN) as headers, once the user gave it; kept for this tab only.
 * @returns {Record<string, string>}
 */
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  return token ? { 'X-Auth-Token': token } : {};
}

/** Asks for the platform token after a 401; true when the user gave one. */
function askForToken() {
  const token = window.prompt('This platform needs its token (the AUTH_TOKEN it was started with):');
  if (!token) return false;
  sessionStorage.setItem(TOKEN_KEY, token);
  return true;
}

/**
 * fetch with the token; a 401 asks for it once and tries again.
 * @param {string} path
 * @param {RequestInit} [init]
 */
async function fetchWithToken(path, init = {}) {
  const send = () => fetch(path, { ...init, headers: { ...init.headers, ...authHeaders() } });
  const res = await send();
  return res.status === 401 && askForToken() ? send() : res;
}

/**
 * One call of the platform's API: JSON in and out; an error answer is thrown as an ApiError.
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @param {{ signal?: AbortSignal }} [options]
 * @returns {Promise<any>}
 */
export async function api(method, path, body, { signal } = {}) {
  /** @type {Record<string, string>} */
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const init = { method, signal, headers, body: body === undefined ? undefined : JSON.stringify(body) };
  const res = await fetchWithToken(path, init);
  const text = await res.text();
  const data = text ? parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/**
 * Downloads an object as a file (through fetch, so the token goes along).
 * @param {string} bucket
 * @param {string} key
 * @param {string} fileName
 */
export async function downloadObject(bucket, key, fileName) {
  const res = await fetchWithToken(objectPath(bucket, key));
  if (!res.ok) throw new ApiError(res.status, parse(await res.text()));
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** @typedef {{ signal?: AbortSignal }} CallOptions */

/** @type {(path: string, opts?: CallOptions) => Promise<any>} */
export const get = (path, opts) => api('GET', path, undefined, opts);
/** @type {(path: string, body?: unknown, opts?: CallOptions) => Promise<any>} */
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
/** @type {(path: string, opts?: CallOptions) => Promise<any>} */
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/**
 * A path of the object-storage API; every key segment is escaped on its own, "/" stays.
 * @param {string} bucket
 * @param {string} [key]
 */
export function objectPath(bucket, key = '') {
  return `/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

/**
 * One page of a folder of a bucket.
 * @param {string} bucket
 * @param {{ prefix?: string, token?: string, limit: number }} page
 * @param {CallOptions} [opts]
 */
export function listObjects(bucket, { prefix = '', token, limit }, opts) {
  const q = new URLSearchParams({ delimiter: '/', limit: String(limit) });
  if (prefix) q.set('prefix', prefix);
  if (token) q.set('token', token);
  return get(`/buckets/${encodeURIComponent(bucket)}/objects?${q}`, opts);
}

/**
 * Uploads one file (XHR, because fetch reports no upload progress). `onProgress`
 * receives bytes sent so far; resolves with the API's answer.
 * @param {string} bucket
 * @param {string} key
 * @param {File} file
 * @param {(sent: number) => void} [onProgress]
 * @returns {Promise<any>}
 */
export function uploadObject(bucket, key, file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', objectPath(bucket, key));
    if (file.type) xhr.setRequestHeader('content-type', file.type);
    for (const [name, value] of Object.entries(authHeaders())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => onProgress?.(e.loaded);
    xhr.onload = () => {
      const data = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new Error(`the upload of ${file.name} was cut off`));
    xhr.send(file);
  });
}

/**
 * Streams a text response (a followed job log) into `onText` until it ends or `signal` aborts.
 * @param {string} path
 * @param {(text: string) => void} onText
 * @param {AbortSignal} signal
 */
export async function streamText(path, onText, signal) {
  const res = await fetchWithToken(path, { signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, parse(await res.text()));
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
}

/**
 * POSTs a file as multipart form field `field` to a prediction URL; resolves with status and body.
 * @param {string} url
 * @param {string} field
 * @param {Blob} blob
 * @param {string} fileName
 * @param {Record<string, string>} [headers]
 */
export async function predict(url, field, blob, fileName, headers = {}) {
  const form = new FormData();
  form.append(field, blob, fileName);
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body: form, headers: { ...authHeaders(), ...headers } });
  const text = await res.text();
  return { status: res.status, ok: res.ok, body: parse(text) ?? text, ms: performance.now() - started };
}
