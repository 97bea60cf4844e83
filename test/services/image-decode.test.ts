import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { ApiError } from '../../kernel/errors';
import { decodeImage, MAX_IMAGE_PIXELS } from '../../kernel/image/decode';
import { toFloatVector } from '../../services/model_service/image/tensor';
import { firstTestDigits } from '../helpers/mnist-model';
import { DIGIT_SIDE as SIDE } from '../../samples/mnist/dataset';
import { encodeBmp, grayJpeg, grayPng, grayToRgba, pngHeaderOnly, rgbaPng, type BmpSpec } from './helpers/images';

const NOT_AN_IMAGE = /is not a PNG, JPEG or BMP image/;
const digits = firstTestDigits(5);
const [seven] = digits;
const at = (d: Uint8Array, x: number, y: number) => d[y * SIDE + x];

function refusal(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the image to be refused');
}

/** A 28x28 bitmap; by default each pixel is the digit's gray value (a palette index). */
function bmpOf(pixels: Uint8Array, spec: Omit<BmpSpec, 'width' | 'height' | 'pixel'>, pixel?: BmpSpec['pixel']): Buffer {
  return encodeBmp({ width: SIDE, height: SIDE, ...spec, pixel: pixel ?? ((x, y) => at(pixels, x, y)) });
}

describe('decodeImage', () => {
  it('gives back the exact pixels of a grayscale PNG of a test-set digit', () => {
    for (const d of digits) {
      const image = decodeImage(grayPng(d.pixels, SIDE, SIDE), { channels: 1, name: 'digit.png' });
      assert.deepEqual([image.width, image.height, image.channels], [SIDE, SIDE, 1]);
      assert.deepEqual(image.data, d.pixels);
    }
  });

  it('gives RGB with equal channels for a gray digit when asked for 3 channels', () => {
    const image = decodeImage(grayPng(seven.pixels, SIDE, SIDE), { channels: 3 });
    assert.equal(image.data.length, SIDE * SIDE * 3);
    for (let i = 0; i < SIDE * SIDE; i++) {
      assert.deepEqual([...image.data.subarray(i * 3, i * 3 + 3)], [seven.pixels[i], seven.pixels[i], seven.pixels[i]]);
    }
  });

  it('turns colour into ITU-R 601 luma and composites alpha on black', () => {
    const rgba = new Uint8Array([200, 100, 50, 255, 200, 100, 50, 128, 255, 255, 255, 0, 0, 0, 255, 255]);
    const png = rgbaPng(rgba, 2, 2);
    const gray = decodeImage(png, { channels: 1 });
    const luma = (r: number, g: number, b: number) => Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    const half = (v: number) => Math.round((v * 128) / 255);
    assert.deepEqual([...gray.data], [luma(200, 100, 50), luma(half(200), half(100), half(50)), 0, luma(0, 0, 255)]);
    const rgb = decodeImage(png, { channels: 3 });
    assert.deepEqual([...rgb.data.subarray(3, 9)], [half(200), half(100), half(50), 0, 0, 0]);
  });

  it('decodes a JPEG of a digit to nearly the same pixels', () => {
    for (const d of digits) {
      const image = decodeImage(grayJpeg(d.pixels, SIDE, SIDE), { channels: 1, name: 'digit.jpg' });
      const diffs = Array.from(image.data, (v, i) => Math.abs(v - d.pixels[i]));
      const mean = diffs.reduce((a, b) => a + b, 0) / diffs.length;
      assert.ok(mean < 2, `mean difference ${mean}`);
      assert.ok(Math.max(...diffs) <= 24, `largest difference ${Math.max(...diffs)}`);
    }
  });

  describe('BMP', () => {
    const grays: [number, number, number][] = Array.from({ length: 256 }, (_, i) => [i, i, i]);
    const cases: [string, Omit<BmpSpec, 'width' | 'height' | 'pixel'>, BmpSpec['pixel'] | undefined][] = [
      ['8-bit palette, bottom-up', { bits: 8, palette: grays }, undefined],
      ['8-bit palette, top-down', { bits: 8, palette: grays, topDown: true }, undefined],
      ['24-bit', { bits: 24 }, (x, y) => [at(seven.pixels, x, y), at(seven.pixels, x, y), at(seven.pixels, x, y), 255]],
      ['24-bit, top-down', { bits: 24, topDown: true }, (x, y) => [at(seven.pixels, x, y), at(seven.pixels, x, y), at(seven.pixels, x, y), 255]],
      // The fourth byte of plain 32-bit pixels is unused: 0 there must not make pixels transparent.
      ['32-bit without masks', { bits: 32 }, (x, y) => [at(seven.pixels, x, y), at(seven.pixels, x, y), at(seven.pixels, x, y), 0]],
    ];
    for (const [name, spec, pixel] of cases) {
      it(`gives back the exact pixels of a ${name} bitmap`, () => {
        const image = decodeImage(bmpOf(seven.pixels, spec, pixel), { channels: 1, name: 'digit.bmp' });
        assert.deepEqual(image.data, seven.pixels);
      });
    }

    it('reads 1-bit and 4-bit palettes, whatever colours the palette holds', () => {
      const oneBit = bmpOf(seven.pixels, { bits: 1, palette: [[255, 255, 255], [0, 0, 0]] }, (x, y) => (at(seven.pixels, x, y) >= 128 ? 0 : 1));
      assert.deepEqual(decodeImage(oneBit, { channels: 1 }).data, seven.pixels.map((v) => (v >= 128 ? 255 : 0)));
      const sixteen = Array.from({ length: 16 }, (_, i): [number, number, number] => [i * 17, i * 17, i * 17]);
      const fourBit = bmpOf(seven.pixels, { bits: 4, palette: sixteen }, (x, y) => Math.round(at(seven.pixels, x, y) / 17));
      assert.deepEqual(decodeImage(fourBit, { channels: 1 }).data, seven.pixels.map((v) => Math.round(v / 17) * 17));
    });

    it('reads 16-bit 5-6-5 and 32-bit bitmaps with colour masks, alpha included', () => {
      const rgb565 = bmpOf(seven.pixels, { bits: 16, masks: [0xf800, 0x07e0, 0x001f, 0], masksAfterHeader: true }, () => [255, 0, 0, 255]);
      assert.deepEqual([...decodeImage(rgb565, { channels: 3 }).data.subarray(0, 3)], [255, 0, 0]);
      const withAlpha = encodeBmp({
        width: 2, height: 1, bits: 32, masks: [0x00ff0000, 0x0000ff00, 0x000000ff, 0xff000000],
        pixel: (x) => (x === 0 ? [200, 100, 50, 255] : [200, 100, 50, 0]),
      });
      assert.deepEqual([...decodeImage(withAlpha, { channels: 3 }).data], [200, 100, 50, 0, 0, 0]);
    });

    it('refuses run-length compressed bitmaps by name', () => {
      const bmp = bmpOf(seven.pixels, { bits: 8, palette: grays });
      bmp.writeUInt32LE(1, 30);
      assert.match(refusal(() => decodeImage(bmp, { name: 'rle.bmp' })).message, /RLE/);
    });
  });

  it('detects the format from the bytes, not the file name', () => {
    const image = decodeImage(grayPng(seven.pixels, SIDE, SIDE), { channels: 1, name: 'digit.jpg' });
    assert.deepEqual(image.data, seven.pixels);
    const err = refusal(() => decodeImage(Buffer.from('just some notes\n'), { name: 'digit.png' }));
    assert.equal(err.message, 'the file "digit.png" is not a PNG, JPEG or BMP image');
  });

  it('reads an image held in a slice of a larger buffer', () => {
    const junk = Buffer.from('multipart preamble\r\n');
    const png = grayPng(seven.pixels, SIDE, SIDE);
    const slice = Buffer.concat([junk, png, junk]).subarray(junk.length, junk.length + png.length);
    assert.deepEqual(decodeImage(slice, { channels: 1 }).data, seven.pixels);
    const view = new DataView(slice.buffer, slice.byteOffset, slice.byteLength);
    assert.deepEqual(decodeImage(view, { channels: 1 }).data, seven.pixels);
  });

  it('refuses a text file, an empty file and a missing body with predict_bad_input', () => {
    for (const bytes of [Buffer.from('label,pixels\n7,0 0 0\n'), Buffer.alloc(0), new Uint8Array([0x42])]) {
      const err = refusal(() => decodeImage(bytes, { name: 'x' }));
      assert.equal(err.kind, 'predict_bad_input');
      assert.equal(err.status, 400);
      assert.match(err.message, /^the file "x" is not a PNG, JPEG or BMP image/);
    }
    assert.match(refusal(() => decodeImage(undefined as unknown as Uint8Array)).message, NOT_AN_IMAGE);
  });

  it('refuses a PNG that declares 100000x100000 pixels without decoding it', () => {
    const bomb = pngHeaderOnly(100000, 100000);
    const start = performance.now();
    const err = refusal(() => decodeImage(bomb, { name: 'bomb.png' }));
    const elapsed = performance.now() - start;
    assert.equal(err.kind, 'predict_too_large');
    assert.match(err.message, /100000x100000/);
    assert.match(err.message, new RegExp(String(MAX_IMAGE_PIXELS)));
    assert.ok(elapsed < 50, `took ${elapsed} ms`);
  });

  it('refuses JPEG and BMP headers that declare too many pixels', () => {
    const jpg = grayJpeg(seven.pixels, SIDE, SIDE);
    const sof = jpg.findIndex((b, i) => b === 0xff && jpg[i + 1] === 0xc0);
    jpg.writeUInt16BE(60000, sof + 5);
    jpg.writeUInt16BE(60000, sof + 7);
    assert.equal(refusal(() => decodeImage(jpg)).kind, 'predict_too_large');
    const bmp = bmpOf(seven.pixels, { bits: 24 }, () => [0, 0, 0, 255]);
    bmp.writeInt32LE(-50000, 22);
    bmp.writeInt32LE(50000, 18);
    assert.equal(refusal(() => decodeImage(bmp)).kind, 'predict_too_large');
    assert.equal(refusal(() => decodeImage(grayPng(seven.pixels, SIDE, SIDE), { maxPixels: 100 })).kind, 'predict_too_large');
  });

  it('refuses truncated PNG, JPEG and BMP files at any cut', () => {
    const files = {
      'cut.png': grayPng(seven.pixels, SIDE, SIDE),
      'cut.jpg': grayJpeg(seven.pixels, SIDE, SIDE),
      'cut.bmp': bmpOf(seven.pixels, { bits: 24 }, () => [1, 2, 3, 255]),
    };
    for (const [name, bytes] of Object.entries(files)) {
      for (const cut of [3, 12, 30, Math.floor(bytes.length / 2), bytes.length - 3, bytes.length - 1]) {
        const err = refusal(() => decodeImage(bytes.subarray(0, cut), { name }));
        assert.equal(err.kind, 'predict_bad_input', `${name} cut at ${cut}: ${err.message}`);
        assert.match(err.message, new RegExp(`the file "${name.replace('.', '\\.')}" is not a PNG, JPEG or BMP image`));
      }
    }
  });

  it('refuses a PNG whose data was damaged', () => {
    const png = grayPng(seven.pixels, SIDE, SIDE);
    png[png.length - 30] ^= 0xff;
    assert.match(refusal(() => decodeImage(png, { name: 'bad.png' })).message, NOT_AN_IMAGE);
  });

  it('answers every damaged variant of valid images with an ApiError, quickly', function () {
    this.timeout(20000);
    const originals = [
      grayPng(seven.pixels, SIDE, SIDE),
      grayJpeg(seven.pixels, SIDE, SIDE),
      bmpOf(seven.pixels, { bits: 8, palette: [[0, 0, 0]] }, (x, y) => at(seven.pixels, x, y) % 2),
    ];
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const original of originals) {
      for (let round = 0; round < 300; round++) {
        const damaged = Buffer.from(original);
        for (let k = 0; k < 1 + Math.floor(random() * 4); k++) {
          damaged[Math.floor(random() * damaged.length)] = Math.floor(random() * 256);
        }
        const start = performance.now();
        try {
          const image = decodeImage(damaged, { channels: 1 });
          assert.equal(image.data.length, image.width * image.height);
        } catch (err) {
          assert.ok(err instanceof ApiError, `round ${round}: ${String(err)}`);
        }
        assert.ok(performance.now() - start < 1000);
      }
    }
  });

  it('gives MNIST-style float vectors, optionally inverted', () => {
    const image = decodeImage(grayPng(seven.pixels, SIDE, SIDE), { channels: 1 });
    const vector = toFloatVector(image);
    assert.equal(vector.length, 784);
    assert.ok(Math.abs(vector[300] - seven.pixels[300] / 255) < 1e-6);
    assert.ok(Math.abs(toFloatVector(image, { invert: true })[0] - 1) < 1e-6);
  });

  it('reads white-on-black digits from RGBA PNGs like the tutorial uploads', () => {
    const image = decodeImage(rgbaPng(grayToRgba(seven.pixels), SIDE, SIDE), { channels: 1 });
    assert.deepEqual(image.data, seven.pixels);
  });
});
