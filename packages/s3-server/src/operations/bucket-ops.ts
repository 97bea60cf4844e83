import { MAX_BUCKETS_PER_LIST, MAX_XML_BODY_BYTES } from '../limits';
import { readSmallBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { S3Error } from '../s3-error';
import { childText, el, optionalEl, parseXml, type XmlElement, xmlDocument } from '../xml';
import { bucketOf, intParam, type OpContext, OWNER_XML } from './context';

/** ListBuckets, paged by `max-buckets` and `continuation-token`, filtered by `prefix`. */
export function listBuckets(c: OpContext): void {
  const prefix = c.request.query.get('prefix') ?? '';
  const maxBuckets = intParam(c, 'max-buckets', MAX_BUCKETS_PER_LIST, 1, MAX_BUCKETS_PER_LIST);
  const token = c.request.query.get('continuation-token');
  const after = token ? Buffer.from(token, 'base64url').toString('utf8') : '';
  const all = c.store.listBuckets().filter((b) => b.name.startsWith(prefix) && b.name > after);
  const page = all.slice(0, maxBuckets);
  const obs = c.request.dialect === 'obs';
  const buckets = page.map((b) =>
    el('Bucket', [el('Name', b.name), el('CreationDate', b.created), ...(obs ? [el('Location', locationOf(c, b.location))] : [])]),
  );
  const next = all.length > page.length ? Buffer.from(page[page.length - 1].name, 'utf8').toString('base64url') : undefined;
  sendXml(
    c.res,
    200,
    xmlDocument('ListAllMyBucketsResult', [
      OWNER_XML,
      el('Buckets', buckets),
      ...optionalEl('ContinuationToken', next),
      ...optionalEl('Prefix', c.request.query.has('prefix') ? prefix : undefined),
    ]),
  );
}

/** CreateBucket; the location it names (S3's LocationConstraint, OBS's Location) is kept and reported back. */
export async function createBucket(c: OpContext): Promise<void> {
  const body = await readSmallBody(c.req, MAX_XML_BODY_BYTES);
  await c.store.createBucket(bucketOf(c), locationConstraint(body));
  sendEmpty(c.res, 200, { Location: `/${bucketOf(c)}` });
}

function locationConstraint(body: Buffer): string | undefined {
  if (body.length === 0) return undefined;
  let document: XmlElement | undefined;
  try {
    document = parseXml(body.toString('utf8'));
  } catch {
    document = undefined;
  }
  if (document?.name !== 'CreateBucketConfiguration') {
    throw new S3Error('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
  }
  const location = (childText(document, 'LocationConstraint') ?? childText(document, 'Location'))?.trim();
  return location === '' ? undefined : location;
}

export function headBucket(c: OpContext): void {
  const location = locationOf(c, c.store.requireBucket(bucketOf(c)).location);
  const obs = c.request.dialect === 'obs' ? { 'x-obs-bucket-location': location, 'x-obs-version': '3.0' } : {};
  sendEmpty(c.res, 200, { 'x-amz-bucket-region': location, ...obs });
}

export async function deleteBucket(c: OpContext): Promise<void> {
  await c.store.deleteBucket(bucketOf(c));
  await c.multipart.dropBucket(bucketOf(c));
  sendEmpty(c.res, 204);
}

/** S3 answers `<LocationConstraint>` (empty for us-east-1, as clients expect); OBS answers `<Location>`. */
export function getBucketLocation(c: OpContext): void {
  const location = locationOf(c, c.store.requireBucket(bucketOf(c)).location);
  if (c.request.dialect === 'obs') sendXml(c.res, 200, xmlDocument('Location', location));
  else sendXml(c.res, 200, xmlDocument('LocationConstraint', location === 'us-east-1' ? '' : location));
}

function locationOf(c: OpContext, location: string | undefined): string {
  return location ?? c.region;
}

/** An unversioned bucket's versioning configuration is empty: versioning was never enabled. */
export function getBucketVersioning(c: OpContext): void {
  c.store.requireBucket(bucketOf(c));
  sendXml(c.res, 200, xmlDocument('VersioningConfiguration', []));
}

/**
 * OBS's protocol negotiation: `x-obs-api: 3.0` tells OBS clients they may sign with
 * `OBS ak:sig` and use `x-obs-*` headers. A probe of a bucket that does not exist is 404.
 */
export function headApiVersion(c: OpContext): void {
  if (c.request.bucket !== undefined) c.store.requireBucket(c.request.bucket);
  sendEmpty(c.res, 200, { 'x-obs-api': '3.0' });
}
