import { MAX_DELETE_KEYS } from '../limits';
import { readXmlBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { S3Error, toS3Error } from '../s3-error';
import { deleteConditionsOf, deletePrecondition, type DeleteConditions } from '../write-conditions';
import { childElements, childText, el, optionalEl, type Xml, type XmlElement, xmlDocument } from '../xml';
import { bucketOf, checkVersionId, keyOf, type OpContext } from './context';

/** DeleteObject, with S3's conditional deletes (If-Match, x-amz-if-match-last-modified-time, -size). */
export async function deleteObject(c: OpContext): Promise<void> {
  checkVersionId(c);
  await c.store.deleteObject(bucketOf(c), keyOf(c), deletePrecondition(deleteConditionsOf(c.req)));
  sendEmpty(c.res, 204);
}

interface DeleteEntry extends DeleteConditions {
  key: string;
  versionId?: string;
}

/** DeleteObjects (`POST /<bucket>?delete`): per-key results; Quiet reports only failures. */
export async function deleteObjects(c: OpContext): Promise<void> {
  c.store.requireBucket(bucketOf(c));
  const document = await readXmlBody(c.req, 'Delete');
  const quiet = childText(document, 'Quiet')?.trim() === 'true';
  const entries = childElements(document, 'Object').map(deleteEntry);
  if (entries.length === 0 || entries.length > MAX_DELETE_KEYS) {
    throw new S3Error('MalformedXML', `A Delete request names between 1 and ${MAX_DELETE_KEYS} objects, each with a Key.`);
  }
  const results: Xml[] = [];
  for (const entry of entries) {
    const identity = [el('Key', entry.key), ...optionalEl('VersionId', entry.versionId)];
    try {
      if (entry.versionId !== undefined && entry.versionId !== 'null') {
        throw new S3Error('NoSuchVersion', 'The specified version does not exist: this server does not keep versions.');
      }
      await c.store.deleteObject(bucketOf(c), entry.key, deletePrecondition(entry));
      if (!quiet) results.push(el('Deleted', identity));
    } catch (err) {
      const failure = toS3Error(err);
      results.push(el('Error', [...identity, el('Code', failure.code), el('Message', failure.message)]));
    }
  }
  sendXml(c.res, 200, xmlDocument('DeleteResult', results));
}

function deleteEntry(object: XmlElement): DeleteEntry {
  const key = childText(object, 'Key');
  if (key === undefined || key === '') throw new S3Error('MalformedXML', 'Every Object of a Delete request needs a Key.');
  return {
    key,
    versionId: childText(object, 'VersionId')?.trim(),
    etag: childText(object, 'ETag')?.trim(),
    lastModified: childText(object, 'LastModifiedTime')?.trim(),
    size: childText(object, 'Size')?.trim(),
  };
}
