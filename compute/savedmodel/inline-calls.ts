/**
 * Inlines function calls (`StatefulPartitionedCall`, `PartitionedCall`, or a node whose
 * op is a function's name) into the graph, as TensorFlow's own optimizer does before
 * running a graph: the body's nodes are copied under the call's name, the function's
 * inputs become the call's inputs, and every consumer of the call's output k is pointed
 * at the body tensor that the function returns as output k. Where a function has
 * variants for several devices (Keras' LSTM: `api_implements` with a GPU one using
 * CudnnRNN), the CPU variant is used.
 */
import { ConversionError } from './conversion-error';
import { attrString, parseRef, type FunctionJson, type NodeJson } from './graph-types';
import { flatOutputIndex } from './op-outputs';

const CALL_OPS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

export function calledFunction(node: NodeJson, functions: Map<string, FunctionJson>): FunctionJson | undefined {
  if (CALL_OPS.has(node.op)) {
    const name = node.attr?.f?.func?.name ?? '';
    const fn = functions.get(name);
    if (!fn) throw new ConversionError(`node ${node.name} calls function ${name || '(unnamed)'}, which the graph's library does not hold`);
    return cpuVariant(fn, functions);
  }
  const fn = functions.get(node.op);
  return fn ? cpuVariant(fn, functions) : undefined;
}

function cpuVariant(fn: FunctionJson, functions: Map<string, FunctionJson>): FunctionJson {
  const implementsName = attrString(fn.attr?.api_implements);
  const device = attrString(fn.attr?.api_preferred_device);
  if (!implementsName || !device || device.toUpperCase() === 'CPU') return fn;
  for (const other of functions.values()) {
    if (attrString(other.attr?.api_implements) === implementsName && attrString(other.attr?.api_preferred_device)?.toUpperCase() === 'CPU') return other;
  }
  return fn;
}

/**
 * Replaces `call` in `graph` by the body of `fn`; returns what `call:k` now stands for,
 * for each k. Callers rewrite references (`rewireAll`).
 */
export function inlineCall(graph: Map<string, NodeJson>, call: NodeJson, fn: FunctionJson, functions: Map<string, FunctionJson>): string[] {
  const prefix = `${call.name}/`;
  const dataInputs = (call.input ?? []).filter((i) => !i.startsWith('^'));
  const args = new Map((fn.signature.inputArg ?? []).map((arg, i) => [arg.name, dataInputs[i]]));
  const body = new Map((fn.nodeDef ?? []).map((n) => [n.name, n]));
  const resolve = (text: string): string => {
    if (text.startsWith('^')) {
      const name = text.slice(1);
      return args.has(name) ? `^${parseRef(args.get(name)!).node}` : `^${prefix}${name}`;
    }
    const parts = text.split(':');
    if (parts.length === 1) return args.get(text) ?? `${prefix}${text}`;
    const producer = body.get(parts[0]);
    if (!producer) {
      if (args.has(parts[0])) return args.get(parts[0])!;
      throw new ConversionError(`function ${fn.signature.name} refers to ${text}, which it does not define`);
    }
    const index = parts.length === 3 ? flatOutputIndex(producer, parts[1], Number(parts[2]), functions) : Number(parts[1]);
    return index === 0 ? `${prefix}${parts[0]}` : `${prefix}${parts[0]}:${index}`;
  };
  for (const node of body.values()) {
    const copy: NodeJson = { name: `${prefix}${node.name}`, op: node.op, input: (node.input ?? []).map(resolve), attr: { ...(node.attr ?? {}) } };
    if (graph.has(copy.name)) throw new ConversionError(`inlining ${fn.signature.name} into ${call.name} would make two nodes named ${copy.name}`);
    graph.set(copy.name, copy);
  }
  graph.delete(call.name);
  return (fn.signature.outputArg ?? []).map((arg) => {
    const ret = fn.ret?.[arg.name];
    if (ret === undefined) throw new ConversionError(`function ${fn.signature.name} returns nothing for its output ${arg.name}`);
    return resolve(ret);
  });
}

/** Points every reference to `from`'s outputs at `outputs[k]`; control references are dropped. */
export function rewireAll(nodes: Iterable<NodeJson>, from: string, outputs: string[], extra: string[][] = []): void {
  const rewrite = (text: string): string | undefined => {
    const ref = parseRef(text);
    if (ref.node !== from) return text;
    if (ref.control) return undefined;
    const target = outputs[ref.index];
    if (target === undefined) throw new ConversionError(`node ${from} has no output ${ref.index}`);
    return target;
  };
  for (const node of nodes) {
    if (node.input?.some((i) => parseRef(i).node === from)) node.input = node.input.map(rewrite).filter((i): i is string => i !== undefined);
  }
  for (const list of extra) {
    for (let i = 0; i < list.length; i++) list[i] = rewrite(list[i]) ?? list[i];
  }
}

/** Points references to output `index` of `from` (only that one) at `to`. */
export function rewirePort(nodes: Iterable<NodeJson>, from: string, index: number, to: string, extra: string[][] = []): void {
  const rewrite = (text: string): string => {
    const ref = parseRef(text);
    return ref.node === from && ref.index === index && !ref.control ? to : text;
  };
  for (const node of nodes) node.input = node.input?.map(rewrite);
  for (const list of extra) for (let i = 0; i < list.length; i++) list[i] = rewrite(list[i]);
}
