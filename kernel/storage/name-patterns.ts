/**
 * The naming rules of buckets, keys and obs:// URLs (names.ts and obs-url.ts check them in
 * code) written as ECMAScript patterns, for the documents that must state them: the OpenAPI
 * documents' path parameters and request bodies. A test holds each pattern to the code's
 * verdict over generated names (test/platform/name-patterns.test.ts).
 */

/** The bucket rules without anchors, for a name followed by "/" or the end. */
const BUCKET = String.raw`(?!\d{1,3}(?:\.\d{1,3}){3}(?:/|$))(?![^/]*\.\.)(?![^/]*(?:\.-|-\.))[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]`;

/** A key's rules without anchors: relative; no control characters, backslashes, percent-escapes, "." or ".." segments or "//". */
const KEY = String.raw`(?!/)(?!.*//)(?!.*%[0-9A-Fa-f]{2})(?!(?:.*/)?\.\.?(?:/|$))[^\u0000-\u001f\u007f\\]`;

/** 3-63 of [a-z0-9.-], a letter or digit at each end, no "..", no hyphen next to a period, not an IP address. */
export const BUCKET_NAME_PATTERN = `^${BUCKET}$`;

/** A non-empty object key. */
export const OBJECT_KEY_PATTERN = `^${KEY}+$`;

/** obs://bucket/key, s3://bucket/key or /bucket/key (the key may be empty: the bucket's root). */
export const OBS_URL_PATTERN = `^(?:obs://|s3://|/)${BUCKET}(?:/(?:${KEY}*))?$`;
