/**
 * `obs://bucket/key`, `s3://bucket/key` and the OBS console's `/bucket/key` name
 * objects (or, with a trailing slash, folders) everywhere in the API.
 */
import { bucketNameProblem as s3BucketNameProblem, MAX_KEY_BYTES } from '@modelarts-local/s3-server/names';
import { PlatformError } from '../errors';

export interface ObsUrl {
  bucket: string;
  /** Key or key prefix, never starting with '/'; folders end with '/'. */
  key: string;
}

export class ObsUrlError extends PlatformError {}

const SCHEMES = ['obs://', 's3://'];
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const CONTROL_RE = /[\u0000-\u001f\u007f]/;

/** Why `bucket` cannot name a bucket (S3's rules, as the embedded store applies them), or undefined. */
export function bucketNameProblem(bucket: string): string | undefined {
  if (!bucket) return 'the bucket name is empty';
  const problem = s3BucketNameProblem(bucket);
  return problem && `bucket name ${JSON.stringify(bucket)} is not valid: a bucket name ${problem}`;
}

/** Why `key` cannot be used as a platform path, or undefined when it can. */
export function keyProblem(key: string): string | undefined {
  if (key.startsWith('/')) return 'the key is absolute (starts with "/"); write keys relative to the bucket';
  if (Buffer.byteLength(key) > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  if (CONTROL_RE.test(key)) return 'the key contains control characters';
  if (key.includes('\\')) return 'the key contains a backslash; use "/" between folders';
  if (/%[0-9A-Fa-f]{2}/.test(key)) {
    return 'the key contains percent-escapes such as "%2e"; write keys as plain text, not URL-encoded';
  }
  const segments = key.split('/');
  if (segments.some((s) => s === '..' || s === '.')) return 'the key contains "." or ".." segments';
  if (segments.slice(0, -1).some((s) => s === '')) return 'the key contains an empty folder name ("//")';
  return undefined;
}

export function parseObsUrl(raw: unknown): ObsUrl {
  if (typeof raw !== 'string' || raw.length === 0) {
    throw new ObsUrlError('expected an OBS path such as obs://bucket/folder/');
  }
  let rest: string | undefined;
  const scheme = SCHEMES.find((s) => raw.startsWith(s));
  if (scheme) rest = raw.slice(scheme.length);
  else if (raw.startsWith('/') && !raw.startsWith('//')) rest = raw.slice(1);
  else rest = obsWebPath(raw);
  if (rest === undefined) {
    throw new ObsUrlError(`${JSON.stringify(raw)} is not an OBS path: write obs://bucket/key, s3://bucket/key, /bucket/key or https://bucket.obs.region.myhuaweicloud.com/key`);
  }
  const slash = rest.indexOf('/');
  const bucket = slash === -1 ? rest : rest.slice(0, slash);
  const key = slash === -1 ? '' : rest.slice(slash + 1);
  const problem = bucketNameProblem(bucket) ?? keyProblem(key);
  if (problem) throw new ObsUrlError(`${JSON.stringify(raw)}: ${problem}`);
  return { bucket, key };
}

/** The domains of Huawei Cloud's OBS (and Open Telekom Cloud's), after `obs.<region>.`. */
export const OBS_DOMAIN = String.raw`obs(?:\.[a-z0-9-]+)?\.(?:myhuaweicloud\.(?:com|eu)|huaweicloud\.com|otc\.t-systems\.com)`;
const VIRTUAL_HOSTED = new RegExp(`^(.+?)\\.${OBS_DOMAIN}$`);
const PATH_STYLE = new RegExp(`^${OBS_DOMAIN}$`);

/**
 * `bucket/key` of an OBS web address as ModelArts writes them (https://<bucket>.obs.<region>.
 * myhuaweicloud.com/<key>, or https://obs.<region>.myhuaweicloud.com/<bucket>/<key>): the same
 * bucket and key here. Undefined for anything else.
 */
function obsWebPath(raw: string): string | undefined {
  if (!/^https?:\/\//i.test(raw)) return undefined;
  let url: URL;
  let path: string;
  try {
    url = new URL(raw);
    path = decodeURIComponent(url.pathname.slice(1));
  } catch {
    // not a URL, or a percent-escape that is not UTF-8
    return undefined;
  }
  const host = url.hostname.toLowerCase();
  const bucket = VIRTUAL_HOSTED.exec(host)?.[1];
  if (bucket) return `${bucket}/${path}`;
  return PATH_STYLE.test(host) ? path : undefined;
}

/** The same location seen as a folder (key prefix ending with '/', or '' for the bucket root). */
export function asFolder(url: ObsUrl): ObsUrl {
  return { bucket: url.bucket, key: url.key === '' || url.key.endsWith('/') ? url.key : `${url.key}/` };
}

export function formatObsUrl(url: ObsUrl): string {
  return `obs://${url.bucket}/${url.key}`;
}

export function childUrl(folder: ObsUrl, relative: string): ObsUrl {
  const base = asFolder(folder);
  return { bucket: base.bucket, key: base.key + relative };
}
