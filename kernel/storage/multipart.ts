import fs from 'node:fs';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { mapLimit } from '../util/concurrency';
import { dropLogged } from '../util/drop';
import { ObsUrl } from './obs-url';

/** Files above this go up in parts, so no upload ever holds a large file in memory. */
export const MULTIPART_THRESHOLD_BYTES = 64 * 1024 * 1024;
const PART_SIZE_BYTES = 16 * 1024 * 1024;
const PART_CONCURRENCY = 4;

export async function putLargeFile(client: S3Client, url: ObsUrl, file: string, size: number): Promise<void> {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: url.bucket, Key: url.key }));
  const ranges = Array.from({ length: Math.ceil(size / PART_SIZE_BYTES) }, (_, i) => ({
    PartNumber: i + 1,
    start: i * PART_SIZE_BYTES,
    end: Math.min(size, (i + 1) * PART_SIZE_BYTES) - 1,
  }));
  try {
    const parts = await mapLimit(ranges, PART_CONCURRENCY, async (r) => {
      const out = await client.send(
        new UploadPartCommand({
          Bucket: url.bucket,
          Key: url.key,
          UploadId,
          PartNumber: r.PartNumber,
          Body: fs.createReadStream(file, { start: r.start, end: r.end }),
          ContentLength: r.end - r.start + 1,
        }),
      );
      return { PartNumber: r.PartNumber, ETag: out.ETag };
    });
    await client.send(
      new CompleteMultipartUploadCommand({ Bucket: url.bucket, Key: url.key, UploadId, MultipartUpload: { Parts: parts } }),
    );
  } catch (err) {
    await dropLogged(client.send(new AbortMultipartUploadCommand({ Bucket: url.bucket, Key: url.key, UploadId })), `aborting the upload of ${url.key}`);
    throw err;
  }
}
