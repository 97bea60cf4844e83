import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectStore } from './object-store';
import type { ObsUrl } from './obs-url';

/** A link that lets anyone holding it GET the object for `seconds` (SigV4 query signature). */
export function presignGet(store: ObjectStore, url: ObsUrl, seconds: number): Promise<string> {
  return getSignedUrl(store.client, new GetObjectCommand({ Bucket: url.bucket, Key: url.key }), { expiresIn: seconds });
}
