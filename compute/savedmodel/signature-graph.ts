/**
 * One signature of a SavedModel as a graph tfjs runs: function calls inlined, variables
 * replaced by their checkpoint values, the signature's inputs made placeholders (feeding
 * any tensor, as TensorFlow allows), tf.Example parsing moved out, then pruned to what
 * the outputs need. Whatever tfjs cannot run, or that would change state, is refused
 * here, naming the op, the signature and the file.
 */
import { ConversionError } from './conversion-error';
import { replaceParseExamples, type ExampleParse } from './example-feeds';
import { reachable } from './graph-walk';
import { parseRef, shapeDims, type FunctionJson, type NodeJson, type SignatureJson } from './graph-types';
import { calledFunction, inlineCall, rewireAll, rewirePort } from './inline-calls';
import { collectLibrary, checkOps, WRITE_OPS } from './op-checks';
import { withDefaultAttrs } from './op-defaults';
import { optimizeGraph } from './optimize-graph';
import type { BundleTensor } from './tensor-bundle';
import { baseDtype, weightFromBundle, weightFromTensor, type WeightValue } from './tensor-values';

const VARIABLE_OPS = new Set(['VariableV2', 'Variable', 'VarHandleOp']);

export interface ConversionContext {
  outer: NodeJson[];
  functions: Map<string, FunctionJson>;
  variableKeys: Map<string, string>;
  bundle: Map<string, BundleTensor>;
  /** "obs://…/model/saved_model.pb", for messages. */
  file: string;
  /**
   * TF1 graphs take a fed tensor of any shape (a Placeholder does not check it, so TF
   * Serving answers `{"instances": [1.0, 2.0]}` on an input declared [-1, 1]); TF2
   * functions check their inputs against the signature's shapes.
   */
  checkShapes: boolean;
}

export interface SignatureTensor {
  key: string;
  /** The tensor's name in the SavedModel (what TF Serving's metadata shows). */
  tensor: string;
  dtype: string;
  shape: number[] | null;
}

export interface SignatureGraph {
  key: string;
  method: string;
  inputs: SignatureTensor[];
  outputs: SignatureTensor[];
  nodes: NodeJson[];
  constants: Map<string, WeightValue>;
  /** Signature input key → placeholder node; output key → node. */
  feeds: Record<string, string>;
  fetches: Record<string, string>;
  library: FunctionJson[];
  examples?: ExampleParse;
}

function signatureTensors(entries: SignatureJson['inputs']): SignatureTensor[] {
  return Object.entries(entries ?? {})
    .map(([key, info]) => ({ key, tensor: info.name ?? '', dtype: baseDtype(info.dtype), shape: shapeDims(info.tensorShape) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

export function buildSignatureGraph(ctx: ConversionContext, key: string, sig: SignatureJson): SignatureGraph {
  const where = `${ctx.file}, signature "${key}"`;
  const inputs = signatureTensors(sig.inputs);
  const outputs = signatureTensors(sig.outputs);
  if (inputs.some((t) => !t.tensor) || outputs.some((t) => !t.tensor)) throw new ConversionError(`${where}: only dense tensors (TensorInfo with a name) are supported, not sparse or composite ones`);
  const graph = new Map(ctx.outer.map((n) => [n.name, structuredClone(n)]));
  const targets = outputs.map((o) => o.tensor);
  const feedRefs = inputs.map((i) => i.tensor);
  inlineAll(graph, ctx, targets, feedRefs, where);
  resolveVariables(graph, ctx, where);
  const feeds = makeFeeds(graph, ctx.checkShapes ? inputs : inputs.map((i) => ({ ...i, shape: null })), feedRefs, targets);
  const examples = replaceParseExamples(graph, reachable(graph, targets, false), new Map(Object.entries(feeds)), where, [targets]);
  if (examples) {
    delete feeds[examples.input];
    for (const f of examples.features) feeds[`${examples.input}/${f.key}`] = f.placeholder;
  }
  const fetches = makeFetches(graph, outputs, targets);
  const live = reachable(graph, Object.values(fetches), false);
  if (examples) {
    // Features the outputs do not need are neither fed nor required.
    for (const f of examples.features.filter((x) => !live.has(x.placeholder))) delete feeds[`${examples.input}/${f.key}`];
    examples.features = examples.features.filter((x) => live.has(x.placeholder));
  }
  const stateful = [...reachable(graph, Object.values(fetches), true)].map((n) => graph.get(n)!).find((n) => WRITE_OPS.has(n.op));
  if (stateful) throw new ConversionError(`${where} changes state (op ${stateful.op}, node ${stateful.name}): stateful signatures cannot be served as conversions; serve it with TensorFlow`);
  const nodes = [...live].map((n) => graph.get(n)!);
  const library = collectLibrary(nodes, ctx.functions);
  checkOps(nodes, library, graph, where);
  // tfjs finds the constants of control-flow bodies in the same weights, by their node names.
  const bodyConsts = library.flatMap((fn) => fn.nodeDef ?? []);
  const cleanLibrary = library.map((fn) => ({ ...fn, nodeDef: (fn.nodeDef ?? []).map((n) => ({ ...clean(n), input: n.input ?? [] })) }));
  const values = constants([...nodes, ...bodyConsts], ctx, where);
  // Placeholders stay even when no output reads them: they are the signature's inputs.
  const keep = new Set([...Object.values(fetches), ...Object.values(feeds)]);
  const optimized = optimizeGraph(nodes.map(clean), values, keep);
  return { key, method: sig.methodName ?? '', inputs, outputs, nodes: optimized, constants: values, feeds, fetches, library: cleanLibrary, examples };
}

function inlineAll(graph: Map<string, NodeJson>, ctx: ConversionContext, targets: string[], feedRefs: string[], where: string): void {
  for (let round = 0; ; round++) {
    if (round > 100_000) throw new ConversionError(`${where}: function calls nest too deeply to inline`);
    const live = reachable(graph, targets, true);
    let call: NodeJson | undefined;
    let fn: FunctionJson | undefined;
    for (const name of live) {
      const node = graph.get(name)!;
      fn = calledFunction(node, ctx.functions);
      if (fn) {
        call = node;
        break;
      }
    }
    if (!call || !fn) return;
    const writer = (fn.nodeDef ?? []).find((n) => WRITE_OPS.has(n.op));
    if (writer) throw new ConversionError(`${where} changes state (op ${writer.op} in function ${fn.signature.name}): stateful signatures cannot be served as conversions`);
    rewireAll(graph.values(), call.name, inlineCall(graph, call, fn, ctx.functions), [targets, feedRefs]);
  }
}

function resolveVariables(graph: Map<string, NodeJson>, ctx: ConversionContext, where: string): void {
  for (const node of graph.values()) {
    if (VARIABLE_OPS.has(node.op) && ctx.variableKeys.has(node.name)) {
      const key = ctx.variableKeys.get(node.name)!;
      const value = ctx.bundle.get(key);
      if (!value) throw new ConversionError(`${where}: variable ${node.name} should hold checkpoint key "${key}", which variables/ does not have`);
      node.op = 'Const';
      node.input = [];
      node.attr = { dtype: { type: baseDtype(value.dtype) }, __checkpoint_key: { s: Buffer.from(key).toString('base64') } };
    } else if (node.op === 'ReadVariableOp') {
      node.op = 'Identity';
      node.attr = { T: { type: node.attr?.dtype?.type } };
    }
  }
}

/** Each signature input becomes a Placeholder; an input that names an inner tensor cuts the graph there. */
function makeFeeds(graph: Map<string, NodeJson>, inputs: SignatureTensor[], feedRefs: string[], targets: string[]): Record<string, string> {
  const feeds: Record<string, string> = {};
  inputs.forEach((input, i) => {
    const ref = parseRef(feedRefs[i]);
    const placeholder: NodeJson = {
      name: ref.index === 0 ? ref.node : `${ref.node}/feed_${ref.index}`,
      op: 'Placeholder',
      input: [],
      attr: { dtype: { type: input.dtype }, shape: { shape: input.shape ? { dim: input.shape.map((d) => ({ size: String(d) })) } : { unknownRank: true } } },
    };
    graph.set(placeholder.name, placeholder);
    if (ref.index !== 0) rewirePort(graph.values(), ref.node, ref.index, placeholder.name, [targets]);
    feeds[input.key] = placeholder.name;
  });
  return feeds;
}

function makeFetches(graph: Map<string, NodeJson>, outputs: SignatureTensor[], targets: string[]): Record<string, string> {
  const fetches: Record<string, string> = {};
  outputs.forEach((output, i) => {
    let name = `signature_output/${output.key}`;
    while (graph.has(name)) name += '_';
    graph.set(name, { name, op: 'Identity', input: [targets[i]], attr: { T: { type: output.dtype } } });
    fetches[output.key] = name;
  });
  return fetches;
}

function constants(nodes: NodeJson[], ctx: ConversionContext, where: string): Map<string, WeightValue> {
  const out = new Map<string, WeightValue>();
  for (const node of nodes) {
    if (node.op !== 'Const') continue;
    if (out.has(node.name)) throw new ConversionError(`${where}: two constants are named ${node.name} (one inside a control-flow function); tfjs could not tell them apart`);
    const key = node.attr?.__checkpoint_key?.s;
    const tensor = node.attr?.value?.tensor;
    if (key !== undefined) out.set(node.name, weightFromBundle(`variable ${node.name}`, ctx.bundle.get(Buffer.from(key, 'base64').toString('utf8'))!));
    else if (tensor) out.set(node.name, weightFromTensor(`constant ${node.name}`, tensor));
    else throw new ConversionError(`${where}: constant ${node.name} has no value`);
  }
  return out;
}

/** What tfjs reads of a node: no device, no internal attributes, no inline values (they go to the weights). */
function clean(node: NodeJson): NodeJson {
  const attr = Object.fromEntries(Object.entries(node.attr ?? {}).filter(([k]) => !k.startsWith('_') && !(node.op === 'Const' && k === 'value')));
  return withDefaultAttrs({ name: node.name, op: node.op, input: (node.input ?? []).filter((i) => !i.startsWith('^')), attr });
}
