/**
 * TensorFlow's default attribute values for the ops tfjs runs (op-defaults.json, from
 * TensorFlow's op registry by test/python/op_defaults.py). SavedModels written with
 * strip_default_attrs (Keras' export) leave those attributes out, and tfjs reads some of
 * them (Conv2D's dilations) without a default of its own: they are put back here.
 */
import fs from 'node:fs';
import { repoPath } from '../../kernel/paths';
import type { AttrJson, NodeJson } from './graph-types';

let table: Record<string, Record<string, AttrJson>> | undefined;

export function withDefaultAttrs(node: NodeJson): NodeJson {
  table ??= JSON.parse(fs.readFileSync(repoPath('compute', 'savedmodel', 'op-defaults.json'), 'utf8')) as Record<string, Record<string, AttrJson>>;
  const defaults = table[node.op];
  if (!defaults) return node;
  const attr = { ...node.attr };
  for (const [name, value] of Object.entries(defaults)) attr[name] ??= value;
  return { ...node, attr };
}
