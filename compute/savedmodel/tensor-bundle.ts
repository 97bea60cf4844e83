/**
 * A TensorFlow checkpoint (`variables/variables.index` + `variables.data-NNNNN-of-MMMMM`),
 * as SavedModels carry their variables: each key's dtype, shape and bytes, each checked
 * against its masked CRC32C. Values stay raw little-endian bytes; string tensors are
 * split into their elements.
 */
import fs from 'node:fs';
import path from 'node:path';
import { decodeTf } from '../protos/tf-protos';
import { crc32c, maskCrc } from './crc32c';
import { readTable, TableError } from './leveldb-table';
import { joinSlices, slicePrefix, type Extent } from './tensor-slices';
import { PlatformError } from '../../kernel/errors';

export interface BundleTensor {
  dtype: string;
  shape: number[];
  /** Raw little-endian values (numeric dtypes). */
  bytes?: Uint8Array;
  /** The elements of a DT_STRING tensor. */
  strings?: Uint8Array[];
}

interface EntryJson {
  dtype?: string;
  shape?: { dim?: { size?: string }[] };
  shardId?: number;
  offset?: string;
  size?: string;
  crc32c?: number;
  slices?: unknown[];
}

export class BundleError extends PlatformError {}

/** Reads a checkpoint by its prefix (`…/variables/variables`). */
export function readBundle(prefix: string): Map<string, BundleTensor> {
  const indexFile = `${prefix}.index`;
  let table: Map<string, Uint8Array>;
  try {
    table = readTable(fs.readFileSync(indexFile));
  } catch (err) {
    if (err instanceof TableError) throw new BundleError(`${path.basename(indexFile)}: ${err.message}`);
    throw new BundleError(`${path.basename(indexFile)} cannot be read: ${(err as Error).message}`);
  }
  const header = decodeTf<{ numShards?: number; endianness?: string }>('tensorflow.BundleHeaderProto', table.get('') ?? new Uint8Array());
  if (header.endianness === 'BIG') throw new BundleError(`${path.basename(indexFile)} was written big-endian; only little-endian checkpoints are read`);
  const shards = new Map<number, Buffer>();
  const shard = (id: number): Buffer => {
    let data = shards.get(id);
    if (!data) {
      const name = `${prefix}.data-${pad(id)}-of-${pad(header.numShards ?? 1)}`;
      if (!fs.existsSync(name)) throw new BundleError(`the variables need ${path.basename(name)}, which is missing`);
      data = fs.readFileSync(name);
      shards.set(id, data);
    }
    return data;
  };
  const out = new Map<string, BundleTensor>();
  for (const [key, value] of table) {
    // "" is the header; keys starting with 0x00 are the parts of partitioned variables, joined below.
    if (key === '' || key.startsWith('\x00')) continue;
    const entry = decodeTf<EntryJson>('tensorflow.BundleEntryProto', value);
    out.set(key, entry.slices?.length ? joinParts(key, entry, table, shard) : readEntry(key, entry, shard));
  }
  return out;
}

/**
 * A partitioned variable: its parts' keys sort in the order of their extents (OrderedCode
 * keeps numbers' order), so they pair with the full entry's extents sorted the same way.
 */
function joinParts(key: string, entry: EntryJson, table: Map<string, Uint8Array>, shard: (id: number) => Buffer): BundleTensor {
  const prefix = slicePrefix(key);
  const keys = [...table.keys()].filter((k) => k.startsWith(prefix)).sort();
  const extents = (entry.slices as { extent?: { start?: string; length?: string }[] }[])
    .map((s) => (s.extent ?? []).map((e) => ({ start: Number(e.start ?? 0), length: e.length === undefined ? undefined : Number(e.length) })))
    .sort((a, b) => compareStarts(a, b));
  if (keys.length !== extents.length) throw new BundleError(`variable "${key}" lists ${extents.length} parts, and ${keys.length} are stored`);
  const parts = keys.map((k, i) => {
    const part = readEntry(`${key} (part ${i})`, decodeTf<EntryJson>('tensorflow.BundleEntryProto', table.get(k)!), shard);
    return { extents: extents[i], bytes: part.bytes ?? new Uint8Array() };
  });
  const dtype = entry.dtype ?? 'DT_INVALID';
  const shape = (entry.shape?.dim ?? []).map((d) => Number(d.size ?? 0));
  try {
    return joinSlices(dtype, shape, parts);
  } catch (err) {
    throw new BundleError(`variable "${key}": ${(err as Error).message}`);
  }
}

function compareStarts(a: Extent[], b: Extent[]): number {
  for (let d = 0; d < Math.max(a.length, b.length); d++) {
    const diff = (a[d]?.start ?? 0) - (b[d]?.start ?? 0);
    if (diff) return diff;
  }
  return 0;
}

function readEntry(key: string, entry: EntryJson, shard: (id: number) => Buffer): BundleTensor {
  const dtype = entry.dtype ?? 'DT_INVALID';
  const shape = (entry.shape?.dim ?? []).map((d) => Number(d.size ?? 0));
  const offset = Number(entry.offset ?? 0);
  const size = Number(entry.size ?? 0);
  const data = shard(entry.shardId ?? 0);
  if (offset + size > data.length) throw new BundleError(`variable "${key}" lies past the end of its data file: the checkpoint is incomplete`);
  const bytes = data.subarray(offset, offset + size);
  const strings = dtype === 'DT_STRING' ? splitStrings(key, bytes, shape) : undefined;
  const crc = strings ? strings.crc : crc32c(bytes);
  if (maskCrc(crc) !== (entry.crc32c ?? 0) >>> 0) throw new BundleError(`variable "${key}" fails its CRC32C check: the checkpoint is damaged`);
  return strings ? { dtype, shape, strings: strings.values } : { dtype, shape, bytes };
}

/**
 * N varint64 lengths, a masked CRC32C of them, then the N strings' bytes. The CRC the
 * entry stores runs over each length as a little-endian uint32 (uint64 past 4 GiB), the
 * lengths' checksum, then the bytes: not over the varints as stored.
 */
function splitStrings(key: string, bytes: Uint8Array, shape: number[]): { values: Uint8Array[]; crc: number } {
  const count = shape.reduce((a, b) => a * b, 1);
  const lengths: number[] = [];
  let at = 0;
  let crc = 0;
  for (let i = 0; i < count; i++) {
    let length = 0;
    let scale = 1;
    for (;;) {
      const b = bytes[at++];
      if (b === undefined) throw new BundleError(`string variable "${key}" is cut short`);
      length += (b & 0x7f) * scale;
      if (b < 0x80) break;
      scale *= 128;
    }
    lengths.push(length);
    const width = Buffer.alloc(length > 0xffffffff ? 8 : 4);
    if (width.length === 8) width.writeBigUInt64LE(BigInt(length));
    else width.writeUInt32LE(length);
    crc = crc32c(width, crc);
  }
  const checksum = bytes.subarray(at, at + 4);
  if (checksum.length < 4 || Buffer.from(checksum).readUInt32LE(0) !== maskCrc(crc)) throw new BundleError(`string variable "${key}" fails the check of its lengths: the checkpoint is damaged`);
  crc = crc32c(checksum, crc);
  at += 4;
  const values = lengths.map((n) => {
    const s = bytes.subarray(at, at + n);
    if (s.length < n) throw new BundleError(`string variable "${key}" is cut short`);
    at += n;
    crc = crc32c(s, crc);
    return s;
  });
  return { values, crc };
}

function pad(n: number): string {
  return String(n).padStart(5, '0');
}
