import type { IncomingMessage } from 'node:http';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './operations/acl-ops';
import { getObjectAttributes } from './operations/attributes-ops';
import {
  createBucket,
  deleteBucket,
  getBucketLocation,
  getBucketVersioning,
  headApiVersion,
  headBucket,
  listBuckets,
} from './operations/bucket-ops';
import type { Handler } from './operations/context';
import { deleteObject, deleteObjects } from './operations/delete-ops';
import { listObjectsV1, listObjectsV2, listObjectVersions } from './operations/list-ops';
import { listMultipartUploads, listParts } from './operations/multipart-list-ops';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
  uploadPartCopy,
} from './operations/multipart-ops';
import { copyObject, getObject, headObject, putObject } from './operations/object-ops';
import type { S3Request } from './request';
import { S3Error } from './s3-error';

/** Sub-resources of the S3 API that this server does not offer; named in the 501 message. */
const UNSUPPORTED_SUBRESOURCES = [
  'accelerate', 'analytics', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold', 'lifecycle',
  'logging', 'metadataTable', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus',
  'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'tagging', 'torrent',
  'versioning', 'versions', 'website',
];

const VERBS: Record<string, string> = { GET: 'Get', PUT: 'Put', HEAD: 'Head', DELETE: 'Delete', POST: 'Post' };

/**
 * OBS's protocol negotiation, `HEAD /?apiversion` or `HEAD /<bucket>?apiversion`: its
 * clients send it unsigned, before they know which signature to use.
 */
export function isApiVersionProbe(request: S3Request): boolean {
  return request.method === 'HEAD' && request.key === undefined && request.query.has('apiversion');
}

/**
 * CORS preflights (`OPTIONS`) come unsigned; with no CORS configuration here, S3's answers
 * are the ones for a bucket without CORS rules.
 */
export function refusedPreflight(req: IncomingMessage): S3Error {
  if (req.headers.origin === undefined) return new S3Error('BadRequest', 'Insufficient information. Origin request header needed.');
  return new S3Error('CORSResponse', 'CORS is not enabled for this bucket: this server does not offer CORS configuration.');
}

/** Operations whose sub-resource is otherwise unsupported, but which this store answers truthfully. */
function answeredSubresource(request: S3Request): Handler | undefined {
  const has = (name: string): boolean => request.query.has(name);
  const m = request.method;
  if (request.bucket === undefined) return undefined;
  if (request.key === undefined) {
    if (m === 'GET' && has('versions')) return listObjectVersions;
    if (m === 'GET' && has('versioning')) return getBucketVersioning;
    if (has('acl')) return m === 'GET' ? getBucketAcl : m === 'PUT' ? putBucketAcl : undefined;
    return undefined;
  }
  if (has('acl')) return m === 'GET' ? getObjectAcl : m === 'PUT' ? putObjectAcl : undefined;
  if (m === 'GET' && has('attributes')) return getObjectAttributes;
  return undefined;
}

/** Picks the operation for a request from its method, bucket, key and query. */
export function route(req: IncomingMessage, request: S3Request): Handler {
  const verb = VERBS[request.method];
  if (verb === undefined) throw new S3Error('MethodNotAllowed', `The method ${request.method} is not allowed against this resource.`);
  const has = (name: string): boolean => request.query.has(name);
  const scope = request.key !== undefined ? 'Object' : request.bucket !== undefined ? 'Bucket' : 'Service';
  if (isApiVersionProbe(request)) return headApiVersion;
  const answered = answeredSubresource(request);
  if (answered) return answered;
  const unsupported = [...UNSUPPORTED_SUBRESOURCES, 'acl', 'attributes'].find(has);
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
