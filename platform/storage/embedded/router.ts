import type { IncomingMessage } from 'node:http';
import { createBucket, deleteBucket, getBucketLocation, headBucket, listBuckets } from './operations/bucket-ops';
import type { Handler } from './operations/context';
import { listObjectsV1, listObjectsV2 } from './operations/list-ops';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  listMultipartUploads,
  listParts,
  uploadPart,
  uploadPartCopy,
} from './operations/multipart-ops';
import { copyObject, deleteObject, deleteObjects, getObject, headObject, putObject } from './operations/object-ops';
import type { S3Request } from './request';
import { S3Error } from './s3-error';

/** Sub-resources of the S3 API that this server does not offer; named in the 501 message. */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory',
  'legal-hold', 'lifecycle', 'logging', 'metadataTable', 'metrics', 'notification', 'object-lock',
  'ownershipControls', 'policy', 'policyStatus', 'publicAccessBlock', 'replication', 'requestPayment',
  'restore', 'retention', 'select', 'tagging', 'torrent', 'versioning', 'versions', 'website',
];

const VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', HEAD: 'Head', DELETE: 'Delete', POST: 'Post' };

/** Picks the operation for a path-style request from its method, path and query. */
export function route(req: IncomingMessage, request: S3Request): Handler {
  const verb = VERBS[request.method];
  if (verb === undefined) throw new S3Error('MethodNotAllowed', `The method ${request.method} is not allowed against this resource.`);
  const has = (name: string): boolean => request.query.has(name);
  const scope = request.key !== undefined ? 'Object' : request.bucket !== undefined ? 'Bucket' : 'Service';
  const unsupported = UNSUPPORTED_SUBRESOURCES.find(has);
  if (unsupported) throw notImplemented(`${verb}${scope}${pascal(unsupported)}`);

  const m = request.method;
  if (scope === 'Service') {
    if (m === 'GET') return listBuckets;
  } else if (scope === 'Bucket') {
    if (m === 'GET' && has('location')) return getBucketLocation;
    if (m === 'GET' && has('uploads')) return listMultipartUploads;
    if (m === 'GET') return request.query.get('list-type') === '2' ? listObjectsV2 : listObjectsV1;
    if (m === 'PUT') return createBucket;
    if (m === 'HEAD') return headBucket;
    if (m === 'DELETE') return deleteBucket;
    if (m === 'POST' && has('delete')) return deleteObjects;
  } else {
    const copying = req.headers['x-amz-copy-source'] !== undefined;
    if (m === 'GET' && has('uploadId')) return listParts;
    if (m === 'GET') return getObject;
    if (m === 'HEAD') return headObject;
    if (m === 'PUT' && has('uploadId') && has('partNumber')) return copying ? uploadPartCopy : uploadPart;
    if (m === 'PUT') return copying ? copyObject : putObject;
    if (m === 'DELETE' && has('uploadId')) return abortMultipartUpload;
    if (m === 'DELETE') return deleteObject;
    if (m === 'POST' && has('uploads')) return createMultipartUpload;
    if (m === 'POST' && has('uploadId')) return completeMultipartUpload;
  }
  throw notImplemented(`${verb}${scope}`);
}

function notImplemented(operation: string): S3Error {
  return new S3Error('NotImplemented', `${operation} is not implemented by this server.`);
}

function pascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, _dash: string, c: string) => c.toUpperCase());
}
