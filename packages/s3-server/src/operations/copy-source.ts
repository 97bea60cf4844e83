import { pipeline } from 'node:stream';
import { DigestTap } from '../digest-tap';
import type { StagedFile } from '@modelarts-local/durable';
import type { ObjectRecord } from '../fs-store';
import { checkConditions, type ByteRange } from '../read-conditions';
import { header } from '../request';
import { S3Error } from '../s3-error';
import { decodeUriPart } from '../uri';
import type { OpContext } from './context';

export interface CopySource {
  bucket: string;
  key: string;
}

/** `x-amz-copy-source`: URL-encoded `bucket/key`, optionally with a leading `/` and `?versionId=null`. */
export function parseCopySource(c: OpContext): CopySource {
  const raw = header(c.req, 'x-amz-copy-source') ?? '';
  const q = raw.indexOf('?');
  const path = decodeUriPart((q < 0 ? raw : raw.slice(0, q)).replace(/^\//, ''));
  const version = q < 0 ? undefined : new URLSearchParams(raw.slice(q + 1)).get('versionId');
  if (version !== undefined && version !== null && version !== 'null') {
    throw new S3Error('InvalidArgument', 'Invalid version id specified: this server does not keep versions.');
  }
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw new S3Error('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey.');
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1) };
}

/**
 * Copies (a range of) the source object into a staging file, hashing as it goes.
 * `chooseRange` sees the source before any byte is read, to check conditions and bounds.
 */
export async function stageCopy(
  c: OpContext,
  source: CopySource,
  chooseRange: (record: ObjectRecord) => ByteRange | undefined = () => undefined,
): Promise<{ record: ObjectRecord; staged: StagedFile; md5: Buffer }> {
  const { record, handle } = await c.store.openObject(source.bucket, source.key);
  let range: ByteRange | undefined;
  try {
    checkConditions(c.req, record, 'x-amz-copy-source-');
    range = chooseRange(record);
  } catch (err) {
    await handle.close();
    throw err;
  }
  const tap = new DigestTap(Number.POSITIVE_INFINITY, { sha256: false });
  pipeline(handle.createReadStream(range ?? {}), tap, () => undefined); // errors reach stage() through tap
  const staged = await c.store.stage(tap);
  return { record, staged, md5: tap.digests().md5 };
}
