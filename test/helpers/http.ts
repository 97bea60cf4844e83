import { request } from 'node:http';
import { PlatformClient, type ApiResponse } from '../../client/api-client';
import { setTimeout as sleep } from 'node:timers/promises';

/** What tests read of an answer: its status, its body (JSON parsed, else text) and headers. */
export type JsonResponse<T = any> = ApiResponse<T>;

/** Headers every `api` call sends (e.g. a platform token), unless a call overrides them. */
export const apiDefaults: { headers: Record<string, string> } = { headers: {} };

/** One call through the platform's API client (client/api-client.ts), answered with any status. */
export function api<T = any>(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<JsonResponse<T>> {
  return new PlatformClient(base, { headers: apiDefaults.headers }).call<T>(method, path, body, headers);
}

/** Polls until `check` returns a value, or fails with the last value seen. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    const value = await check().catch((err) => {
      last = err;
      return undefined;
    });
    if (value !== undefined) return value;
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? ` (last: ${String(last)})` : ''}`);
}

/**
 * One request with the path sent exactly as written (fetch resolves "..", and adds
 * "Cache-Control: no-cache" to conditional requests); the body is read as text.
 */
export function rawRequest(
  base: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; headers: import('node:http').IncomingHttpHeaders; text: string }> {
  const { hostname, port } = new URL(base);
  const headers = { ...opts.headers, ...(opts.body ? { 'content-length': String(opts.body.length) } : {}) };
  return new Promise((resolve, reject) => {
    const req = request({ host: hostname, port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.once('error', reject);
    req.end(opts.body);
  });
}
