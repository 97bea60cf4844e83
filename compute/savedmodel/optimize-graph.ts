/**
 * What TensorFlow's own optimizer does before running a graph, in the two forms that
 * matter for the models served here: constants folded through Identity, Reshape,
 * Squeeze and ExpandDims (Keras' export reshapes and squeezes every convolution bias),
 * and Conv2D or MatMul + BiasAdd (+ an activation) fused into tfjs' `_FusedConv2D` /
 * `_FusedMatMul`, which the native backend runs as one oneDNN call instead of three.
 */
import type { AttrJson, NodeJson } from './graph-types';
import { parseRef } from './graph-types';
import type { WeightValue } from './tensor-values';

const FOLDABLE = new Set(['Identity', 'Reshape', 'Squeeze', 'ExpandDims']);
const ACTIVATIONS = new Set(['Relu', 'Relu6', 'Elu', 'Sigmoid', 'Tanh', 'LeakyRelu']);
const b64 = (s: string) => Buffer.from(s).toString('base64');

export function optimizeGraph(nodes: NodeJson[], constants: Map<string, WeightValue>, keep: Set<string>): NodeJson[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  // Until nothing more folds: the nodes come in no particular order.
  for (let changed = true; changed; ) changed = nodes.map((node) => fold(node, byName, constants, keep)).some(Boolean);
  const consumers = countConsumers(nodes);
  for (const node of nodes) fuse(node, byName, constants, consumers, keep);
  return prune(byName, keep, constants);
}

/** Turns `node` into a constant when its inputs are; says whether it did. */
function fold(node: NodeJson, byName: Map<string, NodeJson>, constants: Map<string, WeightValue>, keep: Set<string>): boolean {
  if (!FOLDABLE.has(node.op) || keep.has(node.name)) return false;
  const inputs = (node.input ?? []).map((i) => parseRef(i));
  if (!inputs.length || inputs.some((r) => r.index !== 0 || byName.get(r.node)?.op !== 'Const')) return false;
  const source = constants.get(inputs[0].node);
  if (!source) return false;
  const shape = foldedShape(node, source.shape, inputs[1] && constants.get(inputs[1].node));
  if (!shape) return false;
  constants.set(node.name, { ...source, shape });
  node.op = 'Const';
  node.input = [];
  node.attr = { dtype: { type: TF_DTYPES[source.dtype] } };
  return true;
}

const TF_DTYPES: Record<string, string> = { float32: 'DT_FLOAT', int32: 'DT_INT32', bool: 'DT_BOOL', string: 'DT_STRING' };

function ints(v: WeightValue | undefined): number[] | undefined {
  if (!v || v.dtype !== 'int32') return undefined;
  return Array.from({ length: v.data.length / 4 }, (_, i) => v.data.readInt32LE(i * 4));
}

function foldedShape(node: NodeJson, shape: number[], second: WeightValue | undefined): number[] | undefined {
  const size = shape.reduce((a, b) => a * b, 1);
  if (node.op === 'Identity') return shape;
  if (node.op === 'Squeeze') {
    const dims = (node.attr?.squeeze_dims?.list?.i ?? []).map(Number).map((d) => (d < 0 ? d + shape.length : d));
    return shape.filter((d, i) => d !== 1 || (dims.length > 0 && !dims.includes(i)));
  }
  const values = ints(second);
  if (!values) return undefined;
  if (node.op === 'ExpandDims') {
    const axis = values[0] < 0 ? values[0] + shape.length + 1 : values[0];
    return [...shape.slice(0, axis), 1, ...shape.slice(axis)];
  }
  const known = values.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const out = values.map((d) => (d === -1 ? size / known : d));
  return out.reduce((a, b) => a * b, 1) === size ? out : undefined;
}

function countConsumers(nodes: NodeJson[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const n of nodes) for (const i of n.input ?? []) counts.set(parseRef(i).node, (counts.get(parseRef(i).node) ?? 0) + 1);
  return counts;
}

/** `node` is the last of Conv2D/MatMul → BiasAdd (→ activation): it becomes the fused op. */
function fuse(node: NodeJson, byName: Map<string, NodeJson>, constants: Map<string, WeightValue>, consumers: Map<string, number>, keep: Set<string>): void {
  const activation = ACTIVATIONS.has(node.op) ? node : undefined;
  const biasAdd = activation ? byName.get(parseRef(activation.input?.[0] ?? '').node) : node;
  if (biasAdd?.op !== 'BiasAdd' || (activation && (consumers.get(biasAdd.name) !== 1 || keep.has(biasAdd.name)))) return;
  if (!activation && [...byName.values()].some((n) => ACTIVATIONS.has(n.op) && parseRef(n.input?.[0] ?? '').node === biasAdd.name && consumers.get(biasAdd.name) === 1)) return;
  const [xRef, biasRef] = (biasAdd.input ?? []).map(parseRef);
  const main = byName.get(xRef?.node ?? '');
  const bias = biasRef && constants.get(biasRef.node);
  if (!main || !bias || xRef.index !== 0 || consumers.get(main.name) !== 1 || keep.has(main.name)) return;
  if (main.op !== 'Conv2D' && main.op !== 'MatMul') return;
  if (main.op === 'Conv2D' && attrText(main.attr?.data_format) === 'NCHW') return;
  const ops = [b64('BiasAdd'), ...(activation ? [b64(activation.op)] : [])];
  const attr: Record<string, AttrJson> = { ...main.attr, fused_ops: { list: { s: ops } }, num_args: { i: '1' }, epsilon: { f: 0 } };
  if (activation?.op === 'LeakyRelu') attr.leakyrelu_alpha = activation.attr?.alpha ?? { f: 0.2 };
  const fused: NodeJson = { name: node.name, op: main.op === 'Conv2D' ? '_FusedConv2D' : '_FusedMatMul', input: [...(main.input ?? []).slice(0, 2), biasAdd.input![1]], attr };
  byName.set(node.name, fused);
}

function attrText(a: AttrJson | undefined): string | undefined {
  return a?.s === undefined ? undefined : Buffer.from(a.s, 'base64').toString('utf8');
}

/** Only what the outputs still need; constants no node reads are dropped from the weights. */
function prune(byName: Map<string, NodeJson>, keep: Set<string>, constants: Map<string, WeightValue>): NodeJson[] {
  const live = new Set<string>();
  const stack = [...keep];
  while (stack.length) {
    const name = stack.pop()!;
    if (live.has(name) || !byName.has(name)) continue;
    live.add(name);
    for (const i of byName.get(name)!.input ?? []) stack.push(parseRef(i).node);
  }
  for (const name of [...constants.keys()]) if (!live.has(name) && byName.has(name)) constants.delete(name);
  return [...byName.values()].filter((n) => live.has(n.name));
}
