import type { IncomingMessage, ServerResponse } from 'node:http';

const LOCALHOST_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** How an allowed origin is written: '*', 'localhost' (any localhost port) or an origin. */
export const ORIGIN_PATTERN = /^(\*|localhost|https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?)$/;

/** What a prediction endpoint answers; the control plane passes its own list. */
const PREDICT_METHODS = 'POST, GET, OPTIONS';

/** 'localhost' in the list stands for any localhost origin, '*' for any origin. */
function originAllowed(origin: string, allow: readonly string[]): boolean {
  return allow.some((a) => a === '*' || a === origin || (a === 'localhost' && LOCALHOST_ORIGIN.test(origin)));
}

/**
 * Adds CORS headers for an allowed Origin; answers a preflight completely.
 * Returns true when the request was a preflight (and is answered).
 */
export function applyCors(req: IncomingMessage, res: ServerResponse, allow: readonly string[], methods = PREDICT_METHODS): boolean {
  const origin = req.headers.origin;
  const allowed = typeof origin === 'string' && originAllowed(origin, allow);
  if (allowed) {
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Vary', 'Origin');
  }
  if (req.method !== 'OPTIONS') return false;
  if (allowed) {
    res.setHeader('Access-Control-Allow-Methods', methods);
    res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type, X-Apig-AppCode');
    res.setHeader('Access-Control-Max-Age', '600');
  }
  res.writeHead(allowed ? 204 : 403);
  res.end();
  return true;
}
