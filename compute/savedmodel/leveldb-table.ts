/**
 * Reads every entry of a LevelDB-format table, as TensorFlow writes `variables.index`:
 * a footer with the index block's handle, an index of data blocks, each block a run of
 * prefix-compressed keys with a 5-byte trailer (compression type, masked CRC32C).
 * Blocks are uncompressed or snappy-compressed: the final index of a checkpoint is
 * written with the table's default options, so both occur in real files.
 */
import snappy from 'snappyjs';
import { crc32c, maskCrc } from './crc32c';
import { PlatformError } from '../../kernel/errors';

const FOOTER_BYTES = 48;
const MAGIC_LOW = 0x8b80fb57;
const MAGIC_HIGH = 0xdb477524;
const TRAILER_BYTES = 5;

export class TableError extends PlatformError {}

interface BlockHandle {
  offset: number;
  size: number;
}

class Cursor {
  constructor(
    readonly bytes: Uint8Array,
    public at = 0,
  ) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.at >= this.bytes.length) throw new TableError('a varint runs past the end of its block');
      const b = this.bytes[this.at++];
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
      if (scale > 2 ** 63) throw new TableError('a varint is longer than 64 bits');
    }
  }

  take(n: number): Uint8Array {
    if (this.at + n > this.bytes.length) throw new TableError('an entry runs past the end of its block');
    const out = this.bytes.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }

  handle(): BlockHandle {
    return { offset: this.varint(), size: this.varint() };
  }
}

/** Every (key, value) of the table in key order; keys as latin1 strings (TensorFlow's keys are ASCII names). */
export function readTable(file: Uint8Array): Map<string, Uint8Array> {
  if (file.length < FOOTER_BYTES) throw new TableError(`the file is ${file.length} bytes, shorter than a table's footer`);
  const footer = file.subarray(file.length - FOOTER_BYTES);
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (view.getUint32(40, true) !== MAGIC_LOW || view.getUint32(44, true) !== MAGIC_HIGH) {
    throw new TableError('the footer does not end with the table magic number: this is not a TensorFlow checkpoint index');
  }
  const cursor = new Cursor(footer);
  cursor.handle(); // the metaindex block: filters, which a full scan does not need
  const index = readBlock(file, cursor.handle());
  const entries = new Map<string, Uint8Array>();
  for (const [, handleBytes] of blockEntries(index)) {
    for (const [key, value] of blockEntries(readBlock(file, new Cursor(handleBytes).handle()))) entries.set(key, value);
  }
  return entries;
}

function readBlock(file: Uint8Array, handle: BlockHandle): Uint8Array {
  const end = handle.offset + handle.size;
  if (end + TRAILER_BYTES > file.length) throw new TableError(`a block at ${handle.offset} runs past the end of the file`);
  const contents = file.subarray(handle.offset, end);
  const type = file[end];
  const stored = new DataView(file.buffer, file.byteOffset + end + 1, 4).getUint32(0, true);
  const actual = maskCrc(crc32c(file.subarray(end, end + 1), crc32c(contents)));
  if (stored !== actual) throw new TableError(`the block at ${handle.offset} fails its CRC32C check: the file is damaged`);
  if (type === 0) return contents;
  if (type === 1) return new Uint8Array(snappy.uncompress(contents));
  throw new TableError(`the block at ${handle.offset} has compression type ${type}; only none (0) and snappy (1) exist in TensorFlow's tables`);
}

function* blockEntries(block: Uint8Array): Generator<[string, Uint8Array]> {
  if (block.length < 4) throw new TableError('a block is too short to hold its restart count');
  const view = new DataView(block.buffer, block.byteOffset, block.byteLength);
  const restarts = view.getUint32(block.length - 4, true);
  const limit = block.length - 4 - 4 * restarts;
  if (limit < 0) throw new TableError('a block claims more restart points than it has room for');
  const cursor = new Cursor(block.subarray(0, limit));
  let key = Buffer.alloc(0);
  while (cursor.at < limit) {
    const shared = cursor.varint();
    const unshared = cursor.varint();
    const valueLength = cursor.varint();
    if (shared > key.length) throw new TableError('a key shares more bytes than the previous key has');
    key = Buffer.concat([key.subarray(0, shared), cursor.take(unshared)]);
    yield [key.toString('latin1'), cursor.take(valueLength)];
  }
}
