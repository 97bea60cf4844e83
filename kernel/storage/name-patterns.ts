/**
 * The naming rules of buckets, keys and obs:// URLs (packages/s3-server/src/names.ts and obs-url.ts check
 * them in code) written as ECMAScript patterns, for the documents that must state them: the OpenAPI
 * documents' path parameters and request bodies. A test holds each pattern to the code's
 * verdict over generated names (test/platform/name-patterns.test.ts). Keys are also limited
 * to 1,024 bytes of UTF-8, which a pattern cannot count.
 */
import { OBS_DOMAIN } from './obs-url';

/** The bucket rules without anchors, for a name followed by `end` ("/" or the end; "." before a host's domain). */
const bucket = (end: string) => String.raw`(?!\d{1,3}(?:\.\d{1,3}){3}${end})(?![^/]*\.\.)(?![^/]*(?:\.-|-\.))[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]`;
const BUCKET = bucket('(?:/|$)');

/** A key's rules without anchors: relative; no control characters, backslashes, percent-escapes, "." or ".." segments or "//". */
const KEY = String.raw`(?!/)(?!.*//)(?!.*%[0-9A-Fa-f]{2})(?!(?:.*/)?\.\.?(?:/|$))[^\u0000-\u001f\u007f\\]`;

/** 3-63 of [a-z0-9.-], a letter or digit at each end, no "..", no hyphen next to a period, not an IP address. */
export const BUCKET_NAME_PATTERN = `^${BUCKET}$`;

/** A non-empty object key. */
export const OBJECT_KEY_PATTERN = `^${KEY}+$`;

/**
 * OBS's web addresses, https://<bucket>.obs.<region>.myhuaweicloud.com/<key> or
 * https://obs.<region>.myhuaweicloud.com/<bucket>/<key>, as parseObsUrl reads them, written
 * plainly: a key with percent-escapes, a query or a port is read too but not described.
 */
const WEB = String.raw`https?://(?:${bucket(String.raw`\.`)}\.${OBS_DOMAIN}|${OBS_DOMAIN}/${BUCKET})(?:/(?:${KEY.replace('\\]', '\\?#%]')}*))?`;

/** obs://bucket/key, s3://bucket/key, /bucket/key (the key may be empty: the bucket's root), or an OBS web address. */
export const OBS_URL_PATTERN = `^(?:(?:obs://|s3://|/)${BUCKET}(?:/(?:${KEY}*))?|${WEB})$`;
