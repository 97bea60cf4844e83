import type { ObjectStore } from '../../kernel/storage/object-store';
import { mapLimit } from '../../kernel/util/concurrency';
import { digitPng, readTestDigits, type Digit } from './dataset';

/** How many test-set digits the batch tutorial scores (the first ones of MNIST's test set). */
export const BATCH_DIGITS = 100;
const UPLOAD_CONCURRENCY = 8;

/** A digit's name says its place in the test set and its label, so the results can be checked by eye. */
export function batchDigitName(d: Pick<Digit, 'index' | 'label'>): string {
  return `digit_${String(d.index).padStart(4, '0')}_label_${d.label}.png`;
}

/**
 * The batch tutorial's input folder: MNIST test digits as 28x28 PNGs, uploaded side by
 * side unless the folder holds objects already (a user's own files are never overwritten),
 * and its empty output folder. Returns the keys it wrote.
 */
export async function prepareBatchInput(store: ObjectStore, bucket: string, input: string, output: string): Promise<string[]> {
  const written: string[] = [];
  if (!(await store.folderExists({ bucket, key: input }))) {
    const digits = readTestDigits(Array.from({ length: BATCH_DIGITS }, (_, i) => i));
    await mapLimit(digits, UPLOAD_CONCURRENCY, (d) => store.put({ bucket, key: input + batchDigitName(d) }, digitPng(d), 'image/png'));
    written.push(...digits.map((d) => input + batchDigitName(d)));
  }
  if (!(await store.folderExists({ bucket, key: output }))) {
    // A zero-byte object named like a folder is how the OBS console makes an empty folder.
    await store.put({ bucket, key: output }, Buffer.alloc(0));
    written.push(output);
  }
  return written;
}
