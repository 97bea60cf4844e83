/**
 * Signatures that take serialized tf.Example protos (TF Serving's classify and regress,
 * and predict signatures built the same way) parse them with ParseExample(V2), which
 * tfjs lacks. Its dense outputs become placeholders here, and the serving side parses
 * tf.Example itself and feeds them: the graph below the parse runs unchanged.
 */
import { ConversionError } from './conversion-error';
import { parseRef, shapeDims, type NodeJson } from './graph-types';
import { rewireAll } from './inline-calls';
import { constStrings } from './variable-values';
import { baseDtype, weightFromTensor } from './tensor-values';

const PARSE_OPS = new Set(['ParseExample', 'ParseExampleV2']);

interface ExampleFeature {
  /** The feature's name in tf.Example. */
  key: string;
  dtype: string;
  /** Per example (the batch dimension comes first when fed). */
  shape: number[];
  /** Used when an example lacks the feature; absent = the feature is required. */
  default?: number[];
  /** The placeholder fed with the parsed values. */
  placeholder: string;
}

export interface ExampleParse {
  /** The signature input that carries the serialized examples. */
  input: string;
  features: ExampleFeature[];
}

interface ParseLayout {
  keys: string[];
  defaults: string[];
  dtypes: string[];
  shapes: number[][];
  sparse: number;
  ragged: number;
}

function layout(graph: Map<string, NodeJson>, node: NodeJson): ParseLayout {
  const attr = node.attr ?? {};
  const inputs = (node.input ?? []).filter((i) => !i.startsWith('^'));
  const dtypes = (attr.Tdense?.list?.type ?? []).map(baseDtype);
  const shapes = (attr.dense_shapes?.list?.shape ?? []).map((s) => shapeDims(s) ?? []);
  const strings = (input: string | undefined) => constStrings(graph.get(parseRef(input ?? '').node)) ?? [];
  if (node.op === 'ParseExampleV2') {
    const sparse = Number(attr.num_sparse?.i ?? 0);
    return { keys: strings(inputs[3]), defaults: inputs.slice(5, 5 + dtypes.length), dtypes, shapes, sparse, ragged: attr.ragged_value_types?.list?.type?.length ?? 0 };
  }
  const sparse = Number(attr.Nsparse?.i ?? 0);
  const dense = Number(attr.Ndense?.i ?? dtypes.length);
  const keys = inputs.slice(2 + sparse, 2 + sparse + dense).flatMap((k) => strings(k));
  return { keys, defaults: inputs.slice(2 + sparse + dense, 2 + sparse + 2 * dense), dtypes, shapes, sparse, ragged: 0 };
}

/** Replaces each live ParseExample's dense outputs by placeholders; says how to feed them. */
export function replaceParseExamples(graph: Map<string, NodeJson>, live: Set<string>, inputTensors: Map<string, string>, where: string, extra: string[][]): ExampleParse | undefined {
  let parse: ExampleParse | undefined;
  for (const name of live) {
    const node = graph.get(name);
    if (!node || !PARSE_OPS.has(node.op)) continue;
    const source = parseRef(node.input?.[0] ?? '');
    const input = [...inputTensors].find(([, tensor]) => parseRef(tensor).node === source.node)?.[0];
    if (!input) throw new ConversionError(`${where}: ${node.op} node ${name} parses tensors that are not a signature input; only a signature's serialized tf.Example input can be parsed here`);
    if (parse && parse.input !== input) throw new ConversionError(`${where}: tf.Example protos come in through two inputs; one is supported`);
    const l = layout(graph, node);
    const features = l.keys.map((key, j) => feature(graph, node, l, j, key));
    const offset = 2 * l.sparse + (node.op === 'ParseExampleV2' ? (node.attr?.sparse_types?.list?.type?.length ?? 0) : Number(node.attr?.Nsparse?.i ?? 0));
    const outputs: string[] = [];
    for (let i = 0; i < offset + features.length + 2 * l.ragged; i++) {
      const j = i - offset;
      outputs.push(j >= 0 && j < features.length ? features[j].placeholder : `${name}/__unsupported_output_${i}`);
    }
    for (const f of features) graph.set(f.placeholder, { name: f.placeholder, op: 'Placeholder', input: [], attr: { dtype: { type: f.dtype }, shape: { shape: { dim: [{ size: '-1' }, ...f.shape.map((d) => ({ size: String(d) }))] } } } });
    graph.delete(name);
    rewireAll(graph.values(), name, outputs, extra);
    parse = { input, features: [...(parse?.features ?? []), ...features] };
  }
  return parse;
}

function feature(graph: Map<string, NodeJson>, node: NodeJson, l: ParseLayout, j: number, key: string): ExampleFeature {
  const defaultNode = constBehind(graph, l.defaults[j]);
  const tensor = defaultNode?.op === 'Const' ? defaultNode.attr?.value?.tensor : undefined;
  if (l.dtypes[j] === 'DT_STRING') throw new ConversionError(`${node.name} parses feature "${key}" as strings; only float and int64 features are fed here`);
  const value = tensor ? weightFromTensor(`default of feature ${key}`, tensor) : undefined;
  const numbers: number[] = [];
  for (let at = 0; value && at < value.data.length; at += 4) numbers.push(value.dtype === 'float32' ? value.data.readFloatLE(at) : value.data.readInt32LE(at));
  return { key, dtype: l.dtypes[j], shape: l.shapes[j] ?? [], default: numbers.length ? numbers : undefined, placeholder: `${node.name}/dense_${j}` };
}

/** The Const a default comes from, through the Reshape or Identity that tf.io.parse_example puts on it. */
function constBehind(graph: Map<string, NodeJson>, input: string | undefined): NodeJson | undefined {
  let node = graph.get(parseRef(input ?? '').node);
  for (let hops = 0; node && (node.op === 'Reshape' || node.op === 'Identity') && hops < 10; hops++) node = graph.get(parseRef(node.input?.[0] ?? '').node);
  return node;
}
