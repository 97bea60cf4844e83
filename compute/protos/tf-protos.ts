/**
 * TensorFlow's file formats as protobufjs types, from the `.proto` files beside this one
 * (our own subsets, with TensorFlow's public field numbers). Decoded messages are read
 * through `toObject` with camelCase names, int64 as strings, enums by name and bytes as
 * base64: the JSON form of a GraphDef that tfjs' graph models load.
 */
import fs from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs';
import { repoPath } from '../../kernel/paths';

export const TF_PROTO_DIR = repoPath('compute', 'protos');

const FILES = [
  'tensorflow/core/protobuf/saved_model.proto',
  'tensorflow/core/protobuf/tensor_bundle.proto',
  'tensorflow/core/protobuf/trackable_object_graph.proto',
  'tensorflow/core/example/example.proto',
];

const JSON_FORM: protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, defaults: false, arrays: true, objects: true };

let root: protobuf.Root | undefined;

/** Resolves imports inside `dirs`, first match wins (the serving protos import these). */
export function protoResolver(dirs: string[]): (origin: string, target: string) => string {
  return (_origin, target) => {
    if (protobuf.common.get(target)) return target;
    const found = dirs.map((d) => path.join(d, target)).find((p) => fs.existsSync(p));
    return found ?? path.join(dirs[0], target);
  };
}

function tensorflowRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    r.resolvePath = protoResolver([TF_PROTO_DIR]);
    r.loadSync(FILES);
    r.resolveAll();
    root = r;
  }
  return root;
}

/** Decodes `bytes` as the message `name` (e.g. "tensorflow.SavedModel") into its JSON form. */
export function decodeTf<T>(name: string, bytes: Uint8Array): T {
  const type = tensorflowRoot().lookupType(name);
  return type.toObject(type.decode(bytes), JSON_FORM) as T;
}

/** Encodes a plain object (camelCase fields) as the message `name`. */
export function encodeTf(name: string, value: object): Uint8Array {
  const type = tensorflowRoot().lookupType(name);
  return type.encode(type.fromObject(value)).finish();
}
