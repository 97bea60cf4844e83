import { isErrno } from '@modelarts-local/durable';
import { escapeXml } from './xml';

/** HTTP status of every S3 error code this server produces. */
const STATUS_BY_CODE = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BadRequest: 400,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  CORSResponse: 403,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  IncompleteBody: 400,
  InsufficientStorage: 507,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidURI: 400,
  KeyTooLongError: 400,
  MalformedXML: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchUpload: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  XAmzContentSHA256Mismatch: 400,
} as const;

export type S3ErrorCode = keyof typeof STATUS_BY_CODE;

export class S3Error extends Error {
  readonly status: number;

  constructor(
    readonly code: S3ErrorCode,
    message: string,
    /** Extra response headers, e.g. Content-Range on 416 or ETag on 304. */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
    this.status = STATUS_BY_CODE[code];
  }
}

/**
 * Anything that is not an S3Error is a bug or an I/O failure: its details stay in the server
 * log. A full disk is told as such (507, as MinIO's XMinioStorageFull), so that clients stop
 * rather than retry a 500: nothing will succeed until someone frees space.
 */
export function toS3Error(err: unknown): S3Error {
  if (err instanceof S3Error) return err;
  if (isErrno(err, 'ENOSPC', 'EDQUOT')) {
    const errno = (err as NodeJS.ErrnoException).code;
    const what = errno === 'EDQUOT' ? 'is over its disk quota' : 'has no space left';
    return new S3Error('InsufficientStorage', `The storage backend ${what} (${errno}). Please delete a few objects or free disk space to proceed.`);
  }
  return new S3Error('InternalError', 'We encountered an internal error. Please try again.');
}

/** The one place an error becomes an S3 error document. */
export function errorDocument(err: S3Error, resource: string, requestId: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    `<Code>${err.code}</Code><Message>${escapeXml(err.message)}</Message>` +
    `<Resource>${escapeXml(resource)}</Resource><RequestId>${requestId}</RequestId></Error>`
  );
}

/** Responses that must not carry a body: HEAD, and 304 by definition. */
export function errorHasBody(err: S3Error, method: string | undefined): boolean {
  return method !== 'HEAD' && err.status !== 304;
}
