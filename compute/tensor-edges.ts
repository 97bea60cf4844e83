import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';

/**
 * Pads (positive counts) or cuts (negative counts) rows and columns on each side of an
 * NHWC tensor: `rows` and `cols` are [before, after]. Padding is `value` (0 by default).
 */
export function padOrCrop(tf: Tf, t: Tensor4D, rows: number[], cols: number[], value = 0): Tensor4D {
  const [n, h, w, c] = t.shape;
  const cut = (k: number) => Math.max(0, -k);
  const grow = (k: number) => Math.max(0, k);
  const cropped =
    rows.some((k) => k < 0) || cols.some((k) => k < 0)
      ? tf.slice(t, [0, cut(rows[0]), cut(cols[0]), 0], [n, h - cut(rows[0]) - cut(rows[1]), w - cut(cols[0]) - cut(cols[1]), c])
      : t;
  const pads: [number, number][] = [[0, 0], [grow(rows[0]), grow(rows[1])], [grow(cols[0]), grow(cols[1])], [0, 0]];
  return pads.some(([a, b]) => a || b) ? tf.pad(cropped, pads, value) : cropped;
}
