import fs from 'node:fs/promises';
import path from 'node:path';
import { PNG } from 'pngjs';

/**
 * Writes a grayscale PNG: `values` row-major, one per pixel, from 0 (black) to 1 (white);
 * values outside are clipped. For pictures of what a model did (digits, reconstructions).
 */
export async function saveGrayPng(file: string, width: number, height: number, values: ArrayLike<number>): Promise<void> {
  if (values.length !== width * height) throw new Error(`saveGrayPng: ${values.length} values for a ${width}x${height} image`);
  const png = new PNG({ width, height, colorType: 0, inputColorType: 0, bitDepth: 8 });
  const data = Buffer.alloc(width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(Math.min(1, Math.max(0, values[i])) * 255);
  png.data = data;
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
}
