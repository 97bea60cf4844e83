/**
 * tfjs' WebAssembly `BatchMatMul` is fast (XNNPACK) only without transpose flags; with
 * either flag set it falls back to a scalar loop about 5-10x slower, and every dense
 * layer's backward pass sets one (dW = xᵀ·dy, dx = dy·Wᵀ). For plain (unbatched)
 * products we materialise the transposes instead and pick the orientation that costs
 * the fewest copied floats: C = A·B, or C = (Bᵀ·Aᵀ)ᵀ when A is the small side.
 */
import type { KernelConfig, KernelFunc, Tensor, Tensor2D, TensorInfo } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';
import { overrideKernel } from './kernel-override';

const KERNEL = 'BatchMatMul';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/** Replaces the wasm BatchMatMul kernel with one that avoids its slow transposed path. */
export function installWasmMatMul(tf: Tf): void {
  overrideKernel(tf, KERNEL, 'wasm', (builtin) => matMulKernel(tf, builtin));
}

function matMulKernel(tf: Tf, builtin: KernelConfig): KernelConfig {
  const plain = builtin.kernelFunc;
  return {
    ...builtin,
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: Tensor; b: Tensor };
      const { transposeA, transposeB } = args.attrs as unknown as MatMulAttrs;
      if ((!transposeA && !transposeB) || a.rank !== 2 || b.rank !== 2 || a.dtype !== 'float32' || b.dtype !== 'float32') {
        return plain(args);
      }
      return withoutFlags(tf, plain, args, a as Tensor2D, b as Tensor2D, { transposeA, transposeB }) as unknown as TensorInfo;
    },
  };
}

function withoutFlags(tf: Tf, plain: KernelFunc, args: Parameters<KernelFunc>[0], a: Tensor2D, b: Tensor2D, flags: MatMulAttrs): Tensor {
  const [m, k] = flags.transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const n = flags.transposeB ? b.shape[0] : b.shape[1];
  const run = (x: Tensor2D, y: Tensor2D): Tensor2D =>
    tf.engine().makeTensorFromTensorInfo(plain({ ...args, inputs: { a: x, b: y }, attrs: { transposeA: false, transposeB: false } }) as TensorInfo) as Tensor2D;
  return tf.tidy(() => {
    // Floats copied: transposes of inputs and output, plus XNNPACK packing the right operand.
    const direct = (flags.transposeA ? m * k : 0) + (flags.transposeB ? k * n : 0) + k * n;
    const swapped = (flags.transposeB ? 0 : k * n) + (flags.transposeA ? 0 : m * k) + k * m + m * n;
    const op = (t: Tensor2D, flip: boolean) => (flip ? tf.transpose(t) : t);
    if (direct <= swapped) return run(op(a, flags.transposeA), op(b, flags.transposeB));
    return tf.transpose(run(op(b, !flags.transposeB), op(a, !flags.transposeA)));
  });
}
