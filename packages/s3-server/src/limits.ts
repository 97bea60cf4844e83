/** Limits of the embedded S3 server; the values follow Amazon S3 so clients behave as they would there. */

export { MAX_KEY_BYTES } from './names';
export const MAX_KEYS_PER_LIST = 1000;
export const MAX_UPLOADS_PER_LIST = 1000;
export const MAX_PARTS_PER_LIST = 1000;
export const MAX_PART_NUMBER = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PART_BYTES = 5 * 1024 * 1024 * 1024;
export const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;
export const MAX_DELETE_KEYS = 1000;
export const MAX_BUCKETS_PER_LIST = 10_000;
/** Completed uploads remembered so that a retried CompleteMultipartUpload succeeds again. */
export const MAX_REMEMBERED_COMPLETIONS = 10_000;
/** S3 counts the names and values of all x-amz-meta-* headers against this budget. */
export const MAX_USER_METADATA_BYTES = 2 * 1024;
/**
 * Only XML documents (CompleteMultipartUpload, DeleteObjects, CreateBucketConfiguration) are
 * read whole. The largest legitimate one names 1,000 keys of 1,024 bytes, every byte possibly
 * escaped as a 6-character entity, or 10,000 parts; this cap admits both and little more.
 */
export const MAX_XML_BODY_BYTES = 8 * 1024 * 1024;
/** An aws-chunked size or trailer line is short; a longer one means a broken or hostile stream. */
export const MAX_CHUNK_LINE_BYTES = 4 * 1024;
/** A header-signed request dated further than this from our clock is refused (RequestTimeTooSkewed), as in S3. */
export const MAX_CLOCK_SKEW_SECONDS = 15 * 60;
/** The longest a SigV4 presigned link may live, as in S3: one week. */
export const MAX_PRESIGNED_EXPIRY_SECONDS = 7 * 24 * 60 * 60;
/** How long close() lets in-flight requests finish before cutting their connections. */
export const CLOSE_GRACE_MS = 2_000;
