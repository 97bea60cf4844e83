import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { type ChecksumAlgorithm, type RunningChecksum, runningChecksum } from './checksums';
import { S3Error } from './s3-error';

export interface Digests {
  size: number;
  md5: Buffer;
  sha256Hex?: string;
  checksum?: string;
}

/** Passes content through unchanged while counting it, capping it and hashing it. */
export class DigestTap extends Transform {
  private size = 0;
  private readonly md5: Hash = createHash('md5');
  private readonly sha256?: Hash;
  private readonly checksum?: RunningChecksum;

  constructor(
    private readonly maxBytes: number,
    options: { sha256: boolean; checksumAlgorithm?: ChecksumAlgorithm },
  ) {
    super();
    if (options.sha256) this.sha256 = createHash('sha256');
    if (options.checksumAlgorithm) this.checksum = runningChecksum(options.checksumAlgorithm);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      callback(new S3Error('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size of ${this.maxBytes} bytes.`));
      return;
    }
    this.md5.update(chunk);
    this.sha256?.update(chunk);
    this.checksum?.update(chunk);
    callback(null, chunk);
  }

  /** Only meaningful once the stream has ended. */
  digests(): Digests {
    return {
      size: this.size,
      md5: this.md5.digest(),
      sha256Hex: this.sha256?.digest('hex'),
      checksum: this.checksum?.digest().toString('base64'),
    };
  }
}
