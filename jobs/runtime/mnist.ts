import path from 'node:path';
import { readIdx } from './idx';

/** MNIST images as pixel/255 floats (rows of 784) and labels as class numbers, in plain typed arrays. */
export interface ImageSet {
  count: number;
  /** Values per image (784 for MNIST). */
  width: number;
  x: Float32Array;
  y: Int32Array;
}

/** One mini-batch cut from an ImageSet: its rows copied into fresh arrays. */
export interface Batch {
  size: number;
  x: Float32Array;
  y: Int32Array;
}

const FILES = {
  train: ['train-images-idx3-ubyte.gz', 'train-labels-idx1-ubyte.gz'],
  test: ['t10k-images-idx3-ubyte.gz', 't10k-labels-idx1-ubyte.gz'],
} as const;

/**
 * Reads the training or test set from a folder holding the four MNIST files (`.gz`, as
 * the tutorial has them). `limit` keeps only the first images, for short runs.
 */
export async function readMnist(dir: string, which: 'train' | 'test', limit = Infinity): Promise<ImageSet> {
  const [imagesFile, labelsFile] = FILES[which];
  const images = await readIdx(path.join(dir, imagesFile));
  const labels = await readIdx(path.join(dir, labelsFile));
  if (labels.dims[0] !== images.dims[0]) {
    throw new Error(`${imagesFile} has ${images.dims[0]} images but ${labelsFile} has ${labels.dims[0]} labels`);
  }
  const count = Math.min(images.dims[0], Math.max(1, Math.floor(limit)));
  const width = images.dims.slice(1).reduce((a, b) => a * b, 1);
  const x = new Float32Array(count * width);
  for (let i = 0; i < x.length; i++) x[i] = images.data[i] / 255;
  return { count, width, x, y: Int32Array.from(labels.data.subarray(0, count)) };
}

/**
 * The set in mini-batches, in a fresh random order when `shuffle` is set. Batches are
 * copied out of the typed arrays: slicing one large tensor per batch is slow on wasm.
 */
export function* batches(set: ImageSet, size: number, shuffle: boolean, random: () => number = Math.random): Generator<Batch> {
  const order = Int32Array.from({ length: set.count }, (_, i) => i);
  if (shuffle) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
  }
  for (let start = 0; start < set.count; start += size) {
    const rows = order.subarray(start, Math.min(start + size, set.count));
    const x = new Float32Array(rows.length * set.width);
    const y = new Int32Array(rows.length);
    rows.forEach((row, i) => {
      x.set(set.x.subarray(row * set.width, (row + 1) * set.width), i * set.width);
      y[i] = set.y[row];
    });
    yield { size: rows.length, x, y };
  }
}
