import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ChecksumAlgorithm, checksumField, type StoredChecksum } from '../checksums';
import type { StagedFile } from '@modelarts-local/durable';
import type { FsStore } from '../fs-store';
import type { MultipartStore } from '../fs-multipart';
import type { S3Request } from '../request';
import { RequestContent } from '../request-content';
import { S3Error } from '../s3-error';
import { el, type Xml } from '../xml';

/** Everything an operation handler works with. */
export interface OpContext {
  req: IncomingMessage;
  res: ServerResponse;
  request: S3Request;
  store: FsStore;
  multipart: MultipartStore;
  region: string;
  maxObjectBytes: number;
}

export type Handler = (c: OpContext) => Promise<void> | void;

/** The single account of this server, reported wherever S3 names an owner. */
export const OWNER_ID = 'modelarts-local';
export const OWNER_XML: Xml = el('Owner', [el('ID', OWNER_ID), el('DisplayName', OWNER_ID)]);

/** Path-style routing guarantees these are present for bucket and object operations. */
export function bucketOf(c: OpContext): string {
  if (c.request.bucket === undefined) throw new S3Error('InvalidRequest', 'A bucket name is required.');
  return c.request.bucket;
}

export function keyOf(c: OpContext): string {
  if (c.request.key === undefined) throw new S3Error('InvalidRequest', 'An object key is required.');
  return c.request.key;
}

export interface ReceivedBody {
  staged: StagedFile;
  md5: Buffer;
  checksum?: { algorithm: ChecksumAlgorithm; value: string };
}

/**
 * Streams the request body into a staging file, its digests checked, never held in memory.
 * `defaultChecksum` is computed when the client sends no checksum of its own.
 */
export async function receiveBody(c: OpContext, maxBytes: number, defaultChecksum?: ChecksumAlgorithm): Promise<ReceivedBody> {
  const content = new RequestContent(c.req, maxBytes, defaultChecksum);
  const staged = await c.store.stage(content.stream);
  try {
    const { md5, checksum } = content.verify();
    return { staged, md5, checksum };
  } catch (err) {
    await c.store.discard(staged);
    throw err;
  }
}

/** An integer query parameter within bounds, or the default when absent. */
export function intParam(c: OpContext, name: string, fallback: number, min: number, max: number): number {
  const raw = c.request.query.get(name);
  if (raw === undefined) return fallback;
  const value = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(value >= min && value <= max)) throw new S3Error('InvalidArgument', `${name} must be an integer between ${min} and ${max}.`);
  return value;
}

/** S3 names the one version of an object in an unversioned bucket `null`; any other id names nothing here. */
export function checkVersionId(c: OpContext): void {
  const versionId = c.request.query.get('versionId');
  if (versionId !== undefined && versionId !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified: this server does not keep versions.');
  }
}

/** `<ChecksumSHA256>…</ChecksumSHA256><ChecksumType>…</ChecksumType>`, or nothing; `value` overrides (a part's). */
export function checksumXml(checksum: StoredChecksum | undefined, value = checksum?.value): Xml[] {
  if (!checksum || value === undefined) return [];
  return [el(checksumField(checksum.algorithm), value), el('ChecksumType', checksum.type)];
}
