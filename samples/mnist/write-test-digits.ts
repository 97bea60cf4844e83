/**
 * `npm run digits [-- <dir>]`: writes real MNIST test-set digits as 28x28 PNGs, white
 * on black (img_0.png … img_9.png: the first test image of each class), and prints one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { DIGIT_SIDE, digitPng, readTestDigits } from './dataset';

const FIRST_TEST_INDEX_OF_CLASS = [3, 2, 1, 18, 4, 8, 11, 0, 61, 7];

function ascii(pixels: Uint8Array): string {
  const rows: string[] = [];
  for (let y = 0; y < DIGIT_SIDE; y++) {
    let row = '';
    for (let x = 0; x < DIGIT_SIDE; x++) row += ' .:-=+*#%@'[Math.floor((pixels[y * DIGIT_SIDE + x] / 256) * 10)];
    rows.push(row.trimEnd());
  }
  return rows.join('\n');
}

const dir = path.resolve(process.argv[2] ?? path.join('samples', 'mnist', 'test-images'));
fs.mkdirSync(dir, { recursive: true });
const digits = readTestDigits(FIRST_TEST_INDEX_OF_CLASS);
for (const d of digits) {
  if (d.label !== FIRST_TEST_INDEX_OF_CLASS.indexOf(d.index)) throw new Error(`test image ${d.index} is a ${d.label}, not what this script expects`);
  fs.writeFileSync(path.join(dir, `img_${d.label}.png`), digitPng(d));
}
console.log(`wrote ${digits.length} test digits to ${dir} (img_0.png … img_9.png); img_7.png is test image 0:\n`);
console.log(ascii(digits[7].pixels));
