/**
 * Which checkpoint value each variable of a SavedModel's graph holds. TF1 graphs say it
 * with their restore step: `save/RestoreV2` reads keys (its tensor_names) and `Assign` /
 * `AssignVariableOp` nodes put output i into a variable. TF2 graphs say it through the
 * object graph: a signature's call takes the variables it captured as trailing inputs,
 * which line up with its concrete function's `bound_inputs` (SavedObject ids); an id's
 * path in the object tree leads to the checkpoint's own object graph, whose attribute
 * names the key. Variable names are never used: they repeat.
 */
import { decodeTf } from '../protos/tf-protos';
import type { BundleTensor } from './tensor-bundle';
import { takeSlice } from './tensor-slices';
import { parseRef, type NodeJson, type TensorJson } from './graph-types';
import type { ObjectGraphJson } from './saved-model-file';

const OBJECT_GRAPH_KEY = '_CHECKPOINTABLE_OBJECT_GRAPH';
const ASSIGNS = new Set(['Assign', 'AssignVariableOp']);
const RESTORES = new Set(['RestoreV2', 'Restore', 'RestoreSlice']);
const CALLS = new Set(['StatefulPartitionedCall', 'PartitionedCall']);

interface TrackableJson {
  nodes?: { children?: { nodeId?: number; localName?: string }[]; attributes?: { name?: string; checkpointKey?: string }[] }[];
}

/** Outer-graph node name → the checkpoint key of the variable it stands for. */
export function variableKeys(nodes: Map<string, NodeJson>, bundle: Map<string, BundleTensor>, objectGraph?: ObjectGraphJson): Map<string, string> {
  const keys = restoreEdges(nodes, bundle);
  if (objectGraph?.nodes?.length && bundle.has(OBJECT_GRAPH_KEY)) {
    for (const [node, key] of boundVariables(nodes, objectGraph, bundle)) keys.set(node, key);
  }
  return keys;
}

/**
 * TF1: the key RestoreV2 reads for each variable. A part of a partitioned variable is
 * restored with a slice spec: that part is cut from the joined value and kept in the
 * bundle under a key of its own.
 */
function restoreEdges(nodes: Map<string, NodeJson>, bundle: Map<string, BundleTensor>): Map<string, string> {
  const keys = new Map<string, string>();
  for (const node of nodes.values()) {
    if (!ASSIGNS.has(node.op) || (node.input?.length ?? 0) < 2) continue;
    const source = throughIdentities(nodes, node.input![1]);
    const restore = nodes.get(source.node);
    if (!restore || !RESTORES.has(restore.op)) continue;
    const names = constStrings(nodes.get(parseRef(restore.input?.[1] ?? '').node));
    const slices = constStrings(nodes.get(parseRef(restore.input?.[2] ?? '').node));
    let key = names?.[source.index];
    const spec = slices?.[source.index]?.trim();
    if (key !== undefined && spec && bundle.has(key)) {
      const part = `${key} [${spec}]`;
      if (!bundle.has(part)) bundle.set(part, takeSlice(bundle.get(key)!, spec));
      key = part;
    }
    if (key !== undefined) keys.set(parseRef(node.input![0]).node, key);
  }
  return keys;
}

function throughIdentities(nodes: Map<string, NodeJson>, input: string): { node: string; index: number } {
  let ref = parseRef(input);
  for (let hops = 0; hops < 100; hops++) {
    const node = nodes.get(ref.node);
    if (!node || node.op !== 'Identity' || !node.input?.length) break;
    ref = parseRef(node.input[0]);
  }
  return ref;
}

/** The strings of a string Const (RestoreV2's tensor_names). */
export function constStrings(node: NodeJson | undefined): string[] | undefined {
  const tensor: TensorJson | undefined = node?.op === 'Const' ? node.attr?.value?.tensor : undefined;
  return tensor?.stringVal?.map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

function boundVariables(nodes: Map<string, NodeJson>, objectGraph: ObjectGraphJson, bundle: Map<string, BundleTensor>): Map<string, string> {
  const keyOf = checkpointKeys(objectGraph, bundle);
  const out = new Map<string, string>();
  for (const node of nodes.values()) {
    if (!CALLS.has(node.op)) continue;
    const fn = node.attr?.f?.func?.name ?? '';
    const bound = objectGraph.concreteFunctions?.[fn]?.boundInputs ?? [];
    const data = (node.input ?? []).filter((i) => !i.startsWith('^'));
    const captured = data.slice(data.length - bound.length);
    bound.forEach((objectId, j) => {
      const key = keyOf.get(objectId);
      if (key !== undefined && captured[j] !== undefined) out.set(parseRef(captured[j]).node, key);
    });
  }
  return out;
}

/** SavedObject id → checkpoint key, walking both object trees from the root by child name. */
function checkpointKeys(objectGraph: ObjectGraphJson, bundle: Map<string, BundleTensor>): Map<number, string> {
  const trackable = decodeTf<TrackableJson>('tensorflow.TrackableObjectGraph', bundle.get(OBJECT_GRAPH_KEY)!.strings?.[0] ?? new Uint8Array());
  const saved = objectGraph.nodes ?? [];
  const keys = new Map<number, string>();
  const seen = new Set<number>();
  const queue: [number, number][] = [[0, 0]];
  while (queue.length) {
    const [savedId, trackId] = queue.shift()!;
    if (seen.has(savedId)) continue;
    seen.add(savedId);
    const tracked = trackable.nodes?.[trackId];
    const value = tracked?.attributes?.find((a) => a.name === 'VARIABLE_VALUE');
    if (value?.checkpointKey && saved[savedId]?.variable) keys.set(savedId, value.checkpointKey);
    for (const child of saved[savedId]?.children ?? []) {
      const match = tracked?.children?.find((c) => c.localName === child.localName);
      if (match?.nodeId !== undefined && child.nodeId !== undefined) queue.push([child.nodeId, match.nodeId]);
    }
  }
  return keys;
}
