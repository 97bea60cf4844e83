/**
 * A TensorFlow graph in the JSON form protobufjs gives it (camelCase fields, int64 as
 * strings, enums by name, bytes as base64): the form tfjs graph models load, so nodes
 * pass from a SavedModel to a model.json without translation.
 */
export interface TensorShapeJson {
  dim?: { size?: string | number; name?: string }[];
  unknownRank?: boolean;
}

export interface TensorJson {
  dtype?: string;
  tensorShape?: TensorShapeJson;
  tensorContent?: string;
  floatVal?: number[];
  doubleVal?: number[];
  intVal?: number[];
  int64Val?: string[];
  boolVal?: boolean[];
  stringVal?: string[];
  halfVal?: number[];
}

export interface AttrJson {
  s?: string;
  i?: string;
  f?: number;
  b?: boolean;
  type?: string;
  shape?: TensorShapeJson;
  tensor?: TensorJson;
  list?: { s?: string[]; i?: string[]; f?: number[]; b?: boolean[]; type?: string[]; shape?: TensorShapeJson[]; func?: NameAttrJson[] };
  func?: NameAttrJson;
  placeholder?: string;
}

interface NameAttrJson {
  name?: string;
  attr?: Record<string, AttrJson>;
}

export interface NodeJson {
  name: string;
  op: string;
  input?: string[];
  device?: string;
  attr?: Record<string, AttrJson>;
}

interface ArgJson {
  name: string;
  type?: string;
  typeAttr?: string;
  numberAttr?: string;
  typeListAttr?: string;
}

export interface FunctionJson {
  signature: { name: string; inputArg?: ArgJson[]; outputArg?: ArgJson[] };
  attr?: Record<string, AttrJson>;
  nodeDef?: NodeJson[];
  ret?: Record<string, string>;
}

interface TensorInfoJson {
  name?: string;
  dtype?: string;
  tensorShape?: TensorShapeJson;
}

export interface SignatureJson {
  inputs?: Record<string, TensorInfoJson>;
  outputs?: Record<string, TensorInfoJson>;
  methodName?: string;
}

export interface GraphJson {
  node?: NodeJson[];
  library?: { function?: FunctionJson[] };
  versions?: { producer?: number; minConsumer?: number };
}

/** A tensor named as graphs name them: `node` (output 0), `node:2`, or `^node` (a control input). */
export interface TensorRef {
  node: string;
  index: number;
  control: boolean;
}

export function parseRef(text: string): TensorRef {
  if (text.startsWith('^')) return { node: text.slice(1), index: 0, control: true };
  const colon = text.lastIndexOf(':');
  if (colon > 0 && /^\d+$/.test(text.slice(colon + 1))) return { node: text.slice(0, colon), index: Number(text.slice(colon + 1)), control: false };
  return { node: text, index: 0, control: false };
}

/** The string an `s` attribute holds (base64 in the JSON form). */
export function attrString(attr: AttrJson | undefined): string | undefined {
  return attr?.s === undefined ? undefined : Buffer.from(attr.s, 'base64').toString('utf8');
}

export function shapeDims(shape: TensorShapeJson | undefined): number[] | null {
  if (!shape || shape.unknownRank) return null;
  return (shape.dim ?? []).map((d) => Number(d.size ?? 0));
}
