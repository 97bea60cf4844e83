import { header } from '../request';
import { readXmlBody } from '../request-content';
import { sendEmpty, sendXml } from '../response';
import { S3Error } from '../s3-error';
import { childElements, childText, el, type XmlElement, xmlDocument } from '../xml';
import { bucketOf, keyOf, OWNER_ID, type OpContext, OWNER_XML } from './context';

/**
 * ACLs of a single-account store: every bucket and object is private to that account, which
 * is exactly what the ACL reads say. Writing that same ACL (canned `private`, or a policy
 * granting the owner FULL_CONTROL) succeeds; granting anyone else is not offered.
 */

export function getBucketAcl(c: OpContext): void {
  c.store.requireBucket(bucketOf(c));
  sendOwnerOnlyAcl(c);
}

export function getObjectAcl(c: OpContext): void {
  c.store.getObject(bucketOf(c), keyOf(c));
  sendOwnerOnlyAcl(c);
}

export async function putBucketAcl(c: OpContext): Promise<void> {
  c.store.requireBucket(bucketOf(c));
  await requireOwnerOnlyAcl(c);
  sendEmpty(c.res, 200);
}

export async function putObjectAcl(c: OpContext): Promise<void> {
  c.store.getObject(bucketOf(c), keyOf(c));
  await requireOwnerOnlyAcl(c);
  sendEmpty(c.res, 200);
}

function sendOwnerOnlyAcl(c: OpContext): void {
  const grantee = el('Grantee', [el('ID', OWNER_ID), el('DisplayName', OWNER_ID)], {
    'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance',
    'xsi:type': 'CanonicalUser',
  });
  const grant = el('Grant', [grantee, el('Permission', 'FULL_CONTROL')]);
  sendXml(c.res, 200, xmlDocument('AccessControlPolicy', [OWNER_XML, el('AccessControlList', [grant])]));
}

async function requireOwnerOnlyAcl(c: OpContext): Promise<void> {
  const canned = header(c.req, 'x-amz-acl');
  const grants = Object.keys(c.req.headers).some((h) => h.startsWith('x-amz-grant-'));
  if (canned !== undefined || grants) {
    if (canned?.trim() !== 'private' || grants) throw notOffered();
    return;
  }
  const policy = await readXmlBody(c.req, 'AccessControlPolicy');
  const list = childElements(policy, 'AccessControlList')[0];
  const all = list ? childElements(list, 'Grant') : [];
  if (all.length === 0 || !all.every(grantsOwnerFullControl)) throw notOffered();
}

function grantsOwnerFullControl(grant: XmlElement): boolean {
  const grantee = childElements(grant, 'Grantee')[0];
  return grantee !== undefined && childText(grantee, 'ID')?.trim() === OWNER_ID && childText(grant, 'Permission')?.trim() === 'FULL_CONTROL';
}

function notOffered(): S3Error {
  return new S3Error('NotImplemented', 'Only private ACLs are offered: every bucket and object belongs to the one account of this server.');
}
