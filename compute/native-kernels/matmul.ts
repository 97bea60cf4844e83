/**
 * BatchMatMul and _FusedMatMul on the addon's sgemm: the transposes are flags to the
 * library (no copies), the bias and activation are applied in one pass over the product.
 * Batch dimensions broadcast as the cpu kernel broadcasts them (one side 1 or equal).
 */
import { backend_util, type KernelConfig, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { allocate, activationCode, floats, nativeKernel, output, size, type NativeContext } from './kernel';

interface Product {
  a: Float32Array;
  b: Float32Array;
  shape: number[];
  dims: [batch: number, batchA: number, batchB: number, m: number, n: number, k: number];
  transposeA: boolean;
  transposeB: boolean;
}

/** The product's shape and dimensions, or undefined where the native kernel does not apply. */
function product(backend: MathBackendCPU, aInfo: TensorInfo, bInfo: TensorInfo, attrs: NamedAttrMap): Product | undefined {
  const a = floats(backend, aInfo);
  const b = floats(backend, bInfo);
  if (!a || !b || aInfo.shape.length < 2 || bInfo.shape.length < 2) return undefined;
  const transposeA = Boolean(attrs.transposeA);
  const transposeB = Boolean(attrs.transposeB);
  const [ar, ac] = aInfo.shape.slice(-2);
  const [br, bc] = bInfo.shape.slice(-2);
  const [m, k] = transposeA ? [ac, ar] : [ar, ac];
  const [kb, n] = transposeB ? [bc, br] : [br, bc];
  const outerA = aInfo.shape.slice(0, -2);
  const outerB = bInfo.shape.slice(0, -2);
  const batchA = size(outerA);
  const batchB = size(outerB);
  if (k !== kb || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return undefined;
  const outer = backend_util.assertAndGetBroadcastShape(outerA, outerB);
  if (size(outer) !== Math.max(batchA, batchB)) return undefined;
  return { a, b, shape: [...outer, m, n], dims: [Math.max(batchA, batchB), batchA, batchB, m, n, k], transposeA, transposeB };
}

function run(ctx: NativeContext, backend: MathBackendCPU, p: Product, bias: Float32Array | null, activation: number, alpha: number): TensorInfo {
  const out = allocate(backend, size(p.shape));
  ctx.addon.matMul(p.a, p.b, out, ...p.dims, p.transposeA, p.transposeB, bias, activation, alpha);
  return output(backend, p.shape, out);
}

export function batchMatMulKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'BatchMatMul', cpu, ({ inputs, attrs }, backend) => {
    const p = product(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, attrs ?? {});
    return p && run(ctx, backend, p, null, 0, 0);
  });
}

/** A bias the addon adds itself: one value per output column, or a single value. */
function columnBias(backend: MathBackendCPU, bias: TensorInfo | undefined, n: number): Float32Array | null | undefined {
  if (!bias) return null;
  const values = floats(backend, bias);
  const count = size(bias.shape);
  const lastAxisOnly = bias.shape.slice(0, -1).every((d) => d === 1);
  return values && lastAxisOnly && (count === n || count === 1) ? values : undefined;
}

export function fusedMatMulKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, '_FusedMatMul', cpu, ({ inputs, attrs }, backend) => {
    const p = product(backend, inputs.a as TensorInfo, inputs.b as TensorInfo, attrs ?? {});
    const activation = activationCode(attrs ?? {});
    const bias = p && columnBias(backend, inputs.bias as TensorInfo | undefined, p.dims[4]);
    if (!p || activation === undefined || bias === undefined) return undefined;
    return run(ctx, backend, p, bias, activation, Number(attrs?.leakyreluAlpha ?? 0.2));
  });
}
