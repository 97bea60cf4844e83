/**
 * Conv2D, FusedConv2D and both gradients on oneDNN, on tfjs' NHWC (or NCHW) arrays
 * and HWIO filters in place. Dilations are accepted by the gradient kernels too (the
 * platform's Conv2D gradient passes them; tfjs' own never asks for a dilated one).
 */
import type { KernelConfig, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { backend_util } from '@tensorflow/tfjs';
import type { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import { allocate, activationCode, floats, nativeKernel, output, size, type NativeContext } from './kernel';

type Shape4 = [number, number, number, number];
type ConvInfo = ReturnType<typeof backend_util.computeConv2DInfo>;

function convInfo(xShape: number[], filterShape: number[], attrs: NamedAttrMap): ConvInfo {
  const format = (attrs.dataFormat as 'NHWC' | 'NCHW' | undefined) ?? 'NHWC';
  return backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides as number | [number, number],
    (attrs.dilations as number | [number, number] | undefined) ?? 1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    backend_util.convertConv2DDataFormat(format),
  );
}

/** The 17 numbers the addon's convolutions take. */
function dims(c: ConvInfo): number[] {
  const { top, left, bottom, right } = c.padInfo;
  return [
    c.batchSize, c.inChannels, c.inHeight, c.inWidth, c.outChannels, c.filterHeight, c.filterWidth, c.outHeight, c.outWidth,
    c.strideHeight, c.strideWidth, c.dilationHeight, c.dilationWidth, top, left, bottom, right,
  ];
}

const nchw = (c: ConvInfo) => c.dataFormat === 'channelsFirst';

/** One bias value per output channel: a [C] (or [1…, C]) bias as is, a single value repeated. */
function channelBias(backend: MathBackendCPU, bias: TensorInfo | undefined, channels: number): Float32Array | null | undefined {
  if (!bias) return null;
  const values = floats(backend, bias);
  if (!values || !bias.shape.slice(0, -1).every((d) => d === 1)) return undefined;
  if (values.length === channels) return values;
  return values.length === 1 ? new Float32Array(channels).fill(values[0]) : undefined;
}

function forward(ctx: NativeContext, backend: MathBackendCPU, inputs: Record<string, TensorInfo>, attrs: NamedAttrMap, fused: boolean): TensorInfo | undefined {
  const x = floats(backend, inputs.x);
  const filter = floats(backend, inputs.filter);
  const activation = fused ? activationCode(attrs) : 0;
  if (!x || !filter || activation === undefined || inputs.x.shape.length !== 4) return undefined;
  const c = convInfo(inputs.x.shape, inputs.filter.shape, attrs);
  const bias = fused ? channelBias(backend, inputs.bias, c.outChannels) : null;
  if (bias === undefined || (nchw(c) && (bias || activation))) return undefined;
  const out = allocate(backend, size(c.outShape));
  const done = ctx.addon.conv2d(x, filter, out, dims(c), nchw(c), bias, activation, Number(attrs.leakyreluAlpha ?? 0.2));
  return done ? output(backend, c.outShape, out) : undefined;
}

export function conv2dKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Conv2D', cpu, ({ inputs, attrs }, backend) => forward(ctx, backend, inputs as Record<string, TensorInfo>, attrs ?? {}, false));
}

export function fusedConv2dKernel(ctx: NativeContext, cpu: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'FusedConv2D', cpu, ({ inputs, attrs }, backend) => forward(ctx, backend, inputs as Record<string, TensorInfo>, attrs ?? {}, true));
}

export function conv2dBackpropInputKernel(ctx: NativeContext, fallback: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Conv2DBackpropInput', fallback, ({ inputs, attrs = {} }, backend) => {
    const dy = floats(backend, inputs.dy as TensorInfo);
    const filter = floats(backend, inputs.filter as TensorInfo);
    if (!dy || !filter) return undefined;
    const xShape = attrs.inputShape as number[];
    const c = convInfo(xShape, (inputs.filter as TensorInfo).shape, attrs);
    const dx = allocate(backend, size(xShape));
    return ctx.addon.conv2dBackpropInput(dy, filter, dx, dims(c), nchw(c)) ? output(backend, xShape, dx) : undefined;
  });
}

export function conv2dBackpropFilterKernel(ctx: NativeContext, fallback: KernelConfig | undefined): KernelConfig {
  return nativeKernel(ctx, 'Conv2DBackpropFilter', fallback, ({ inputs, attrs = {} }, backend) => {
    const x = floats(backend, inputs.x as TensorInfo);
    const dy = floats(backend, inputs.dy as TensorInfo);
    if (!x || !dy) return undefined;
    const filterShape = attrs.filterShape as number[];
    const c = convInfo((inputs.x as TensorInfo).shape, filterShape, attrs);
    const dw = allocate(backend, size(filterShape));
    return ctx.addon.conv2dBackpropFilter(x, dy, dw, dims(c), nchw(c)) ? output(backend, filterShape, dw) : undefined;
  });
}
