/**
 * What a converted signature may hold: ops tfjs runs, functions only where its control
 * flow (While, If) calls them, and nothing that writes a variable.
 */
import { ConversionError } from './conversion-error';
import { parseRef, type FunctionJson, type NodeJson } from './graph-types';
import { tfjsGraphOps } from './tfjs-ops';

/** Ops that change a variable: a signature holding one is stateful. */
export const WRITE_OPS = new Set([
  'Assign', 'AssignAdd', 'AssignSub', 'AssignVariableOp', 'AssignAddVariableOp', 'AssignSubVariableOp',
  'ScatterUpdate', 'ScatterAdd', 'ScatterSub', 'ResourceScatterUpdate', 'ResourceScatterAdd', 'ResourceScatterSub',
  'ResourceApplyGradientDescent', 'ResourceApplyAdam', 'SaveV2', 'MergeV2Checkpoints',
]);

/** Why an op that tfjs lacks is there, when the reason is known. */
const HINTS: Record<string, string> = {
  CudnnRNN: 'a GPU-only LSTM/GRU kernel; save the model with a CPU-compatible layer',
  CudnnRNNV3: 'a GPU-only LSTM/GRU kernel; save the model with a CPU-compatible layer',
  VarHandleOp: 'a variable whose value the checkpoint does not name',
  VariableV2: 'a variable whose value the checkpoint does not name',
  ReadVariableOp: 'a variable read inside control flow, which is not resolved here',
  HashTableV2: 'lookup tables are not supported',
  LookupTableFindV2: 'lookup tables are not supported',
};

/** The library functions that control-flow nodes (and their bodies) call. */
export function collectLibrary(nodes: NodeJson[], functions: Map<string, FunctionJson>): FunctionJson[] {
  const wanted = new Map<string, FunctionJson>();
  const visit = (list: NodeJson[]) => {
    for (const node of list) {
      for (const attr of Object.values(node.attr ?? {})) {
        for (const name of [attr.func?.name, ...(attr.list?.func ?? []).map((f) => f.name)]) {
          const fn = name ? functions.get(name) : undefined;
          if (fn && !wanted.has(name!)) {
            wanted.set(name!, fn);
            visit(fn.nodeDef ?? []);
          }
        }
      }
    }
  };
  visit(nodes);
  return [...wanted.values()];
}

export function checkOps(nodes: NodeJson[], library: FunctionJson[], graph: Map<string, NodeJson>, where: string): void {
  const ops = tfjsGraphOps();
  const refuse = (op: string, node: string, place: string) => {
    const hint = HINTS[op] ? ` (${HINTS[op]})` : '';
    throw new ConversionError(`${where}: op ${op} (node ${node}${place}) has no tfjs kernel${hint}, so this signature cannot be served without TensorFlow`);
  };
  for (const node of nodes) {
    if (!ops.has(node.op)) refuse(node.op, node.name, '');
    for (const input of node.input ?? []) {
      const ref = parseRef(input);
      if (!ref.control && !graph.has(ref.node)) missing(ref.node, node.name, where);
    }
  }
  for (const fn of library) {
    for (const node of fn.nodeDef ?? []) {
      if (WRITE_OPS.has(node.op)) throw new ConversionError(`${where} changes state (op ${node.op} in function ${fn.signature.name})`);
      if (!ops.has(node.op)) refuse(node.op, node.name, ` in function ${fn.signature.name}`);
    }
  }
}

function missing(name: string, consumer: string, where: string): never {
  if (name.includes('/__unsupported_output_')) {
    throw new ConversionError(`${where}: node ${consumer} uses sparse or ragged features of tf.Example; only dense features are parsed here`);
  }
  throw new ConversionError(`${where}: node ${consumer} reads ${name}, which the graph does not hold`);
}
