/**
 * Partitioned variables. A checkpoint stores each part of a partitioned variable under a
 * key of its own (an OrderedCode of the name and the part's extents), beside the full
 * entry listing the parts' extents; TF1 graphs restore each part with a slice spec
 * ("6 2 0,2:0,2": the full shape, then start,length or "-" per dimension). Parts are
 * joined here, and a graph's part is cut from the joined value.
 */
/** A checkpoint value as tensor-bundle.ts reads it (raw little-endian bytes). */
export interface RawTensor {
  dtype: string;
  shape: number[];
  bytes?: Uint8Array;
}

export interface Extent {
  start: number;
  /** Absent: the whole dimension. */
  length?: number;
}

const ELEMENT_BYTES: Record<string, number> = { DT_FLOAT: 4, DT_INT32: 4, DT_INT64: 8, DT_DOUBLE: 8, DT_UINT8: 1, DT_INT8: 1, DT_BOOL: 1, DT_INT16: 2, DT_UINT16: 2, DT_HALF: 2, DT_BFLOAT16: 2 };

function elementBytes(dtype: string): number | undefined {
  return ELEMENT_BYTES[dtype];
}

/** Copies a block of `size` elements per dimension from `src` at `from` to `dst` at `to` (row-major, little-endian elements of `bytes`). */
function copyBlock(src: Uint8Array, srcShape: number[], from: number[], dst: Uint8Array, dstShape: number[], to: number[], size: number[], bytes: number): void {
  const strides = (shape: number[]) => shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  const s = strides(srcShape);
  const t = strides(dstShape);
  const last = size.length - 1;
  const walk = (d: number, srcAt: number, dstAt: number): void => {
    if (d === last || size.length === 0) {
      const n = size.length === 0 ? 1 : size[last];
      const a = (srcAt + (size.length ? from[last] : 0)) * bytes;
      dst.set(src.subarray(a, a + n * bytes), (dstAt + (size.length ? to[last] : 0)) * bytes);
      return;
    }
    for (let i = 0; i < size[d]; i++) walk(d + 1, srcAt + (from[d] + i) * s[d], dstAt + (to[d] + i) * t[d]);
  };
  walk(0, 0, 0);
}

/** The full tensor from its parts (each with its extents), in the full entry's dtype and shape. */
export function joinSlices(dtype: string, shape: number[], parts: { extents: Extent[]; bytes: Uint8Array }[]): RawTensor {
  const bytes = elementBytes(dtype);
  if (!bytes) throw new Error(`a partitioned variable of dtype ${dtype} cannot be joined`);
  const full = new Uint8Array(shape.reduce((a, b) => a * b, 1) * bytes);
  for (const part of parts) {
    const start = shape.map((_, d) => part.extents[d]?.start ?? 0);
    const size = shape.map((dim, d) => part.extents[d]?.length ?? dim);
    copyBlock(part.bytes, size, size.map(() => 0), full, shape, start, size, bytes);
  }
  return { dtype, shape, bytes: full };
}

/** The part of `tensor` a slice spec names ("6 2 0,2:-"); the whole tensor for an empty spec. */
export function takeSlice(tensor: RawTensor, spec: string): RawTensor {
  const words = spec.trim().split(/\s+/);
  if (!spec.trim() || words.length < 2) return tensor;
  const dims = words.slice(0, -1).map(Number);
  const extents = words[words.length - 1].split(':').map((e) => (e === '-' ? undefined : e.split(',').map(Number)));
  const start = dims.map((_, d) => extents[d]?.[0] ?? 0);
  const size = dims.map((dim, d) => extents[d]?.[1] ?? dim);
  const bytes = elementBytes(tensor.dtype);
  if (!bytes || !tensor.bytes) throw new Error(`a slice of a ${tensor.dtype} variable cannot be taken`);
  const out = new Uint8Array(size.reduce((a, b) => a * b, 1) * bytes);
  copyBlock(tensor.bytes, tensor.shape, start, out, size, size.map(() => 0), size, bytes);
  return { dtype: tensor.dtype, shape: size, bytes: out };
}

/** Keys of a variable's parts start with 0x00, the name (0x00 and 0xff escaped), then 0x00 0x01. */
export function slicePrefix(name: string): string {
  const escaped = [...name].map((c) => (c === '\xff' ? '\xff\x00' : c === '\x00' ? '\x00\xff' : c)).join('');
  return `\x00${escaped}\x00\x01`;
}
