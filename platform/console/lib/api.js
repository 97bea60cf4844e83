// The console talks to the platform only through its public HTTP API, as any client would.

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error_msg ?? `the platform answered HTTP ${status}`);
    this.status = status;
    this.code = body?.error_code;
    /** [{ path, message }] for requests with field problems. */
    this.problems = body?.errors ?? [];
  }
}

function parse(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Lets best-effort work (a refresh, an optional lookup) fail quietly for the page, but not for the browser's console. */
export function dropLogged(work, what) {
  return work.catch((err) => {
    console.warn(`${what} failed:`, err);
    return undefined;
  });
}

const TOKEN_KEY = 'modelarts-local-token';

/** The platform token (AUTH_TOKEN) as headers, once the user gave it; kept for this tab only. */
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

/** fetch with the token; a 401 asks for it once and tries again. */
async function fetchWithToken(path, init = {}) {
  const send = () => fetch(path, { ...init, headers: { ...init.headers, ...authHeaders() } });
  const res = await send();
  return res.status === 401 && askForToken() ? send() : res;
}

export async function api(method, path, body, { signal } = {}) {
  const init = { method, signal, headers: {} };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['content-type'] = 'application/json';
  }
  const res = await fetchWithToken(path, init);
  const text = await res.text();
  const data = text ? parse(text) : undefined;
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** Downloads an object as a file (through fetch, so the token goes along). */
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

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const del = (path, opts) => api('DELETE', path, undefined, opts);

/** A path of the object-storage API; every key segment is escaped on its own, "/" stays. */
export function objectPath(bucket, key = '') {
  return `/buckets/${encodeURIComponent(bucket)}/objects/${key.split('/').map(encodeURIComponent).join('/')}`;
}

export function listObjects(bucket, { prefix = '', token, limit }, opts) {
  const q = new URLSearchParams({ delimiter: '/', limit: String(limit) });
  if (prefix) q.set('prefix', prefix);
  if (token) q.set('token', token);
  return get(`/buckets/${encodeURIComponent(bucket)}/objects?${q}`, opts);
}

/**
 * Uploads one file (XHR, because fetch reports no upload progress). `onProgress`
 * receives bytes sent so far; resolves with the API's answer.
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

/** Streams a text response (a followed job log) into `onText` until it ends or `signal` aborts. */
export async function streamText(path, onText, signal) {
  const res = await fetchWithToken(path, { signal });
  if (!res.ok) throw new ApiError(res.status, parse(await res.text()));
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onText(decoder.decode(value, { stream: true }));
  }
}

/** POSTs a file as multipart form field `field` to a prediction URL; resolves with status and body. */
export async function predict(url, field, blob, fileName, headers = {}) {
  const form = new FormData();
  form.append(field, blob, fileName);
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', body: form, headers: { ...authHeaders(), ...headers } });
  const text = await res.text();
  return { status: res.status, ok: res.ok, body: parse(text) ?? text, ms: performance.now() - started };
}
