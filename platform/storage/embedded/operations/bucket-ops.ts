import { MAX_XML_BODY_BYTES } from '../limits';
import { readSmallBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { el, xmlDocument } from '../xml';
import { bucketOf, type OpContext, OWNER_XML } from './context';

export function listBuckets(c: OpContext): void {
  const buckets = c.store.listBuckets().map((b) => el('Bucket', [el('Name', b.name), el('CreationDate', b.created)]));
  sendXml(c.res, 200, xmlDocument('ListAllMyBucketsResult', [OWNER_XML, el('Buckets', buckets)]));
}

export async function createBucket(c: OpContext): Promise<void> {
  // A CreateBucketConfiguration may name a location; there is only one here, so it is read and ignored.
  await readSmallBody(c.req, MAX_XML_BODY_BYTES);
  await c.store.createBucket(bucketOf(c));
  sendEmpty(c.res, 200, { Location: `/${bucketOf(c)}` });
}

export function headBucket(c: OpContext): void {
  c.store.requireBucket(bucketOf(c));
  sendEmpty(c.res, 200, { 'x-amz-bucket-region': c.region });
}

export async function deleteBucket(c: OpContext): Promise<void> {
  await c.store.deleteBucket(bucketOf(c));
  await c.multipart.dropBucket(bucketOf(c));
  sendEmpty(c.res, 204);
}

export function getBucketLocation(c: OpContext): void {
  c.store.requireBucket(bucketOf(c));
  // S3 reports its original region, us-east-1, as an empty constraint; clients expect that.
  sendXml(c.res, 200, xmlDocument('LocationConstraint', c.region === 'us-east-1' ? '' : c.region));
}
