/**
 * The two gradients of a 2-D convolution written as convolutions, so that any backend
 * with a fast forward `Conv2D` can train CNNs. tfjs' WebAssembly backend has no
 * `Conv2DBackpropFilter` kernel at all, and the plain-JS backend's is a scalar loop
 * many times slower than its own forward convolution.
 */
import type { Tensor4D } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';
import { padOrCrop } from './tensor-edges';

type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];
export type Padding = 'valid' | 'same' | number | ExplicitPadding;
export type Pair = number | [number, number];

/** The attributes of a Conv2D kernel call (and of its backprop kernels). */
export interface ConvAttrs {
  strides: Pair;
  pad: Padding;
  dilations?: Pair;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: 'NHWC' | 'NCHW';
}

type Shape4 = [number, number, number, number];

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/**
 * dL/dfilter. With the input padded as the forward pass padded it, every filter tap
 * (i, j) is a sum over batch and output positions of x[n, h*s + i*d, w*s + j*d, cin] *
 * dy[n, h, w, cout]: a 'valid' convolution of the input seen as Cin images of N
 * channels with dy seen as an [Ho, Wo, N, Cout] filter, where the forward stride
 * becomes the dilation and the forward dilation the stride.
 */
export function conv2dFilterGradient(tf: Tf, x: Tensor4D, dy: Tensor4D, filterShape: Shape4, attrs: ConvAttrs): Tensor4D {
  return tf.tidy(() => {
    const [xh, dyh] = channelsLast(tf, attrs, x, dy);
    const info = convInfo(tf, xh.shape, filterShape, nhwcAttrs(attrs));
    const [kh, kw, cin, cout] = filterShape;
    const { top, bottom, left, right } = info.padInfo;
    const padded = padOrCrop(tf, xh, [top, bottom], [left, right]);
    const images = tf.transpose(padded, [3, 1, 2, 0]) as Tensor4D;
    const kernel = tf.transpose(dyh, [1, 2, 0, 3]) as Tensor4D;
    const taps = tf.conv2d(images, kernel, [info.dilationHeight, info.dilationWidth], 'valid', 'NHWC', [info.strideHeight, info.strideWidth]);
    // Rows of the padded input that no output position reached give taps past the filter.
    const cut = tf.slice(taps, [0, 0, 0, 0], [cin, kh, kw, cout]);
    return tf.transpose(cut, [1, 2, 0, 3]) as Tensor4D;
  });
}

/**
 * dL/dx: the convolution of dy, spread out by the stride (zeros between its rows and
 * columns) and padded so every input position sees every tap, with the filter turned
 * 180° and its channel axes swapped; the forward dilation stays the dilation.
 */
export function conv2dInputGradient(tf: Tf, xShape: Shape4, dy: Tensor4D, filter: Tensor4D, attrs: ConvAttrs): Tensor4D {
  return tf.tidy(() => {
    const nchw = attrs.dataFormat === 'NCHW';
    const [dyh] = channelsLast(tf, attrs, dy);
    const shape = (nchw ? TO_NHWC.map((a) => xShape[a]) : xShape) as Shape4;
    const info = convInfo(tf, shape, filter.shape as Shape4, nhwcAttrs(attrs));
    const { top, left } = info.padInfo;
    const [, h, w] = shape;
    const spread = spreadOut(tf, dyh, info.strideHeight, info.strideWidth);
    // spreadOut leaves stride-1 zeros after the last row and column: counted in `after`.
    const before = [info.effectiveFilterHeight - 1 - top, info.effectiveFilterWidth - 1 - left];
    const after = [h - info.outHeight * info.strideHeight + top, w - info.outWidth * info.strideWidth + left];
    const padded = padOrCrop(tf, spread, [before[0], after[0]], [before[1], after[1]]);
    const turned = tf.transpose(tf.reverse(filter, [0, 1]), [0, 1, 3, 2]) as Tensor4D;
    const dx = tf.conv2d(padded, turned, 1, 'valid', 'NHWC', [info.dilationHeight, info.dilationWidth]);
    return nchw ? (tf.transpose(dx, TO_NCHW) as Tensor4D) : dx;
  });
}

type ConvInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

/** [n, h, w, c] → [n, h*sh, w*sw, c] with each value followed by sh-1 zero rows and sw-1 zero columns. */
function spreadOut(tf: Tf, t: Tensor4D, sh: number, sw: number): Tensor4D {
  if (sh === 1 && sw === 1) return t;
  const [n, h, w, c] = t.shape;
  const grid = tf.pad(tf.reshape(t, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]]);
  return tf.reshape(grid, [n, h * sh, w * sw, c]);
}

function convInfo(tf: Tf, xShape: number[], filterShape: Shape4, attrs: ConvAttrs): ConvInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape,
    attrs.strides,
    attrs.dilations ?? 1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
}

/** The same convolution described for NHWC tensors (explicit padding follows the layout). */
function nhwcAttrs(attrs: ConvAttrs): ConvAttrs {
  if (attrs.dataFormat !== 'NCHW' || !Array.isArray(attrs.pad)) return { ...attrs, dataFormat: 'NHWC' };
  const pad = TO_NHWC.map((a) => (attrs.pad as ExplicitPadding)[a]) as ExplicitPadding;
  return { ...attrs, pad, dataFormat: 'NHWC' };
}

/** The tensors in NHWC, whatever the convolution's data format. */
function channelsLast(tf: Tf, attrs: ConvAttrs, ...tensors: Tensor4D[]): Tensor4D[] {
  if (attrs.dataFormat !== 'NCHW') return tensors;
  return tensors.map((t) => tf.transpose(t, TO_NHWC) as Tensor4D);
}
