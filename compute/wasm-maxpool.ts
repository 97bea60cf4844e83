/**
 * tfjs' WebAssembly `MaxPoolGrad` starts each window's maximum at FLT_MIN (the smallest
 * positive float), not -Infinity, and keeps the last of equal values: a window whose
 * values are all zero or negative (a pool after a linear or tanh layer) loses its
 * gradient, and ties go elsewhere than on every other backend. Here the common pooling
 * (windows that tile the input: stride = pool size) is done exactly as the cpu backend
 * does, with argMax (first maximum) per window; overlapping windows go to the wasm
 * kernel with the input shifted above zero, which keeps the order of values.
 */
import type { KernelConfig, Tensor, Tensor4D, TensorInfo } from '@tensorflow/tfjs';
import { padOrCrop } from './tensor-edges';
import type { Tf } from './tf-module';
import { overrideKernel } from './kernel-override';

const KERNEL = 'MaxPoolGrad';

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

export function installWasmMaxPoolGrad(tf: Tf): void {
  overrideKernel(tf, KERNEL, 'wasm', (builtin) => maxPoolGradKernel(tf, builtin));
}

function maxPoolGradKernel(tf: Tf, builtin: KernelConfig): KernelConfig {
  return {
    ...builtin,
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: Tensor4D; input: Tensor4D };
      const attrs = args.attrs as unknown as PoolAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
      if (info.strideHeight === info.filterHeight && info.strideWidth === info.filterWidth) {
        return tiledMaxPoolGrad(tf, input, dy, info) as unknown as TensorInfo;
      }
      return tf.tidy(() => {
        const shifted = tf.add(tf.sub(input, tf.min(input)), 1);
        const out = builtin.kernelFunc({ ...args, inputs: { dy, input: shifted } }) as TensorInfo;
        return tf.engine().makeTensorFromTensorInfo(out);
      }) as unknown as TensorInfo;
    },
  };
}

type PoolInfo = ReturnType<Tf['backend_util']['computePool2DInfo']>;

/** Windows as a last axis, argMax picks the first maximum, dy goes there, back to the input's layout. */
function tiledMaxPoolGrad(tf: Tf, x: Tensor4D, dy: Tensor4D, info: PoolInfo): Tensor {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    const { outHeight: ho, outWidth: wo, filterHeight: fh, filterWidth: fw } = info;
    const { top, left } = info.padInfo;
    const rows = [top, ho * fh - h - top];
    const cols = [left, wo * fw - w - left];
    const covered = padOrCrop(tf, x, rows, cols, -Infinity);
    const windows = tf.reshape(tf.transpose(tf.reshape(covered, [n, ho, fh, wo, fw, c]), [0, 1, 3, 5, 2, 4]), [n, ho, wo, c, fh * fw]);
    const routed = tf.mul(tf.cast(tf.oneHot(tf.argMax(windows, -1), fh * fw), 'float32'), tf.expandDims(dy, -1));
    const back = tf.reshape(tf.transpose(tf.reshape(routed, [n, ho, wo, c, fh, fw]), [0, 1, 4, 2, 5, 3]), [n, ho * fh, wo * fw, c]);
    return padOrCrop(tf, back as Tensor4D, rows.map((k) => -k), cols.map((k) => -k));
  });
}
