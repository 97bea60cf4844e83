import type { IncomingMessage, ServerResponse } from 'node:http';

const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** 'localhost' in the list stands for any localhost origin, '*' for any origin. */
export function originAllowed(origin: string, allow: string[]): boolean {
  return allow.some((a) => a === '*' || a === origin || (a === 'localhost' && LOCALHOST_ORIGIN.test(origin)));
}

/**
 * Adds CORS headers for an allowed Origin; answers a preflight completely.
 * Returns true when the request was a preflight (and is answered).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allow: string[]): boolean {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && originAllowed(origin, allow);
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return false;
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', 'POST, GET, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type, X-Apig-AppCode');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(allowed ? 204 : 403);
  res.end();
  return true;
}
