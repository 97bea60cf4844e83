import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

/**
 * The flexible checksums of S3 (`x-amz-checksum-<algorithm>`, base64 of the big-endian
 * digest): CRC32, CRC32C, CRC64NVME, SHA1 and SHA256. Node has CRC32 and the SHAs built in;
 * CRC32C and CRC64NVME are table-driven here.
 */

const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/**
 * How a multipart object's checksum was made: over the whole object (CRCs only), or over
 * the parts' checksums, written `<base64>-<part count>`.
 */
export type ChecksumType = 'FULL_OBJECT' | 'COMPOSITE';

export interface StoredChecksum {
  algorithm: ChecksumAlgorithm;
  /** base64, with `-<parts>` for a composite checksum. */
  value: string;
  type: ChecksumType;
}

export interface RunningChecksum {
  update(chunk: Buffer): void;
  digest(): Buffer;
}

export function isChecksumAlgorithm(name: string): name is ChecksumAlgorithm {
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(name);
}

/** The response element or SDK field name of an algorithm: `ChecksumCRC64NVME`. */
export function checksumField(algorithm: ChecksumAlgorithm): string {
  return 'Checksum' + algorithm.toUpperCase();
}

export function runningChecksum(algorithm: ChecksumAlgorithm): RunningChecksum {
  switch (algorithm) {
    case 'crc32':
      return crc32Checksum();
    case 'crc32c':
      return tableCrc32(CRC32C_TABLE);
    case 'crc64nvme':
      return crc64Nvme();
    default: {
      const hash = createHash(algorithm);
      return { update: (chunk) => hash.update(chunk), digest: () => hash.digest() };
    }
  }
}

export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): Buffer {
  const running = runningChecksum(algorithm);
  running.update(data);
  return running.digest();
}

function crc32Checksum(): RunningChecksum {
  let value = 0;
  return {
    update: (chunk) => (value = crc32(chunk, value)),
    digest: () => uint32(value),
  };
}

function uint32(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0);
  return out;
}

/** The reflected CRC-32 lookup table of a polynomial (given reflected). */
function crc32Table(reflectedPoly: number): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ reflectedPoly : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32C (Castagnoli). */
const CRC32C_TABLE = crc32Table(0x82f63b78);

function tableCrc32(table: Uint32Array): RunningChecksum {
  let crc = 0xffffffff;
  return {
    update: (chunk) => {
      for (let i = 0; i < chunk.length; i++) crc = table[(crc ^ chunk[i]) & 0xff] ^ (crc >>> 8);
    },
    digest: () => uint32(crc ^ 0xffffffff),
  };
}

/**
 * CRC-64/NVME (reflected polynomial 0x9a6c9329ac4bc9b5, all-ones init and final xor), kept
 * as two 32-bit halves so the inner loop stays in fast integer arithmetic.
 */
const [CRC64_HI, CRC64_LO] = ((): [Uint32Array, Uint32Array] => {
  const poly = 0x9a6c9329ac4bc9b5n;
  const hi = new Uint32Array(256);
  const lo = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = BigInt(n);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ poly : c >> 1n;
    hi[n] = Number(c >> 32n);
    lo[n] = Number(c & 0xffffffffn);
  }
  return [hi, lo];
})();

function crc64Nvme(): RunningChecksum {
  let hi = 0xffffffff;
  let lo = 0xffffffff;
  return {
    update: (chunk) => {
      for (let i = 0; i < chunk.length; i++) {
        const index = (lo ^ chunk[i]) & 0xff;
        lo = (((lo >>> 8) | (hi << 24)) ^ CRC64_LO[index]) >>> 0;
        hi = ((hi >>> 8) ^ CRC64_HI[index]) >>> 0;
      }
    },
    digest: () => {
      const out = Buffer.alloc(8);
      out.writeUInt32BE((hi ^ 0xffffffff) >>> 0, 0);
      out.writeUInt32BE((lo ^ 0xffffffff) >>> 0, 4);
      return out;
    },
  };
}
