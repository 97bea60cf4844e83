import crypto from 'node:crypto';
import { authorizationFields, sha256Hex } from '@modelarts-local/s3-server/authorization-fields';

/**
 * Huawei Cloud's AK/SK request signature (`SDK-HMAC-SHA256`), as the SDKs' signers
 * (`AKSKSigner` in huaweicloud-sdk-core and its siblings) produce it:
 *
 *   canonical request = METHOD \n URI (each segment encoded, always ending in "/") \n
 *                       sorted query \n "name:value\n" per signed header \n
 *                       signed header names joined by ";" \n SHA-256 of the body
 *   string to sign    = "SDK-HMAC-SHA256" \n X-Sdk-Date \n SHA-256(canonical request)
 *   signature         = hex HMAC-SHA256(SK, string to sign)
 *
 * There is no credential scope: the key signs directly. A body declared
 * `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (multipart uploads) is not hashed.
 */
const ALGORITHM = 'SDK-HMAC-SHA256';
const DATE_HEADER = 'x-sdk-date';
const CONTENT_SHA256_HEADER = 'x-sdk-content-sha256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** How far X-Sdk-Date may be from the platform's clock, as Huawei's gateways allow. */
const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** The path as sent (still percent-encoded), without the query. */
  path: string;
  /** The query string as sent, without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface SdkAuthorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** `SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…`, or undefined when it is not one. */
export function parseAuthorization(header: string | undefined): SdkAuthorization | undefined {
  const fields = authorizationFields(header, ALGORITHM);
  const accessKeyId = fields?.get('Access');
  const signedHeaders = fields?.get('SignedHeaders');
  const signature = fields?.get('Signature');
  if (!accessKeyId || !signedHeaders || !signature) return undefined;
  return { accessKeyId, signedHeaders: signedHeaders.split(';'), signature };
}

export type SignatureCheck = { ok: true; accessKeyId: string } | { ok: false; reason: 'expired' | 'invalid'; message: string };

/** Checks a request's signature against the secret of its access key. */
export function verifySdkSignature(req: SignedRequest, secretOf: (accessKeyId: string) => string | undefined, now = Date.now()): SignatureCheck {
  const auth = parseAuthorization(header(req.headers, 'authorization'));
  if (!auth) return { ok: false, reason: 'invalid', message: `the Authorization header is not "${ALGORITHM} Access=…, SignedHeaders=…, Signature=…"` };
  const secret = secretOf(auth.accessKeyId);
  if (secret === undefined) return { ok: false, reason: 'invalid', message: `access key ${auth.accessKeyId} is not known here` };
  const date = header(req.headers, DATE_HEADER);
  const time = date ? parseSdkDate(date) : undefined;
  if (time === undefined) return { ok: false, reason: 'invalid', message: 'X-Sdk-Date is missing or not like 20260101T120000Z' };
  if (!auth.signedHeaders.includes(DATE_HEADER)) return { ok: false, reason: 'invalid', message: 'X-Sdk-Date must be among the signed headers' };
  if (Math.abs(now - time) > MAX_CLOCK_SKEW_MS) {
    return { ok: false, reason: 'expired', message: `X-Sdk-Date ${date} is more than 15 minutes from the platform's clock` };
  }
  const expected = sign(secret, date!, canonicalRequest(req, auth.signedHeaders));
  const given = Buffer.from(auth.signature);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, Buffer.from(expected))) {
    return { ok: false, reason: 'invalid', message: 'the request signature does not match; check the secret key and that the request was not changed after signing' };
  }
  return { ok: true, accessKeyId: auth.accessKeyId };
}

export function sign(secret: string, date: string, canonical: string): string {
  const stringToSign = [ALGORITHM, date, sha256Hex(canonical)].join('\n');
  return crypto.createHmac('sha256', secret).update(stringToSign).digest('hex');
}

export function canonicalRequest(req: SignedRequest, signedHeaders: string[]): string {
  const headers = signedHeaders.map((name) => `${name}:${(header(req.headers, name) ?? '').trim()}\n`).join('');
  const declared = header(req.headers, CONTENT_SHA256_HEADER);
  const payload = declared === UNSIGNED_PAYLOAD ? declared : sha256Hex(req.body);
  return [req.method.toUpperCase(), canonicalUri(req.path), canonicalQuery(req.query), headers, signedHeaders.join(';'), payload].join('\n');
}

function canonicalUri(path: string): string {
  const encoded = path.split('/').map((segment) => encode(decode(segment, false))).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

function canonicalQuery(query: string): string {
  const values = new Map<string, string[]>();
  for (const pair of query.split('&').filter((p) => p !== '')) {
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return [...values.keys()]
    .sort()
    .flatMap((key) => values.get(key)!.sort().map((v) => `${encode(key)}=${encode(v)}`))
    .join('&');
}

/** Percent-encoding of everything but RFC 3986's unreserved characters, as the signers do. */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** In a query '+' stands for a space (form encoding); in a path it is itself. */
function decode(text: string, plusIsSpace = true): string {
  try {
    return decodeURIComponent(plusIsSpace ? text.replace(/\+/g, ' ') : text);
  } catch {
    return text;
  }
}

function header(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `YYYYMMDDTHHmmssZ` as epoch milliseconds. */
function parseSdkDate(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m.map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s);
}
