/**
 * Inside a function body a tensor is named by its op's output argument
 * (`bn:batch_mean:0`); in a graph, by a flat index (`bn:1`). The flat index needs to know
 * how many tensors each earlier argument yields: one for most arguments, an attribute's
 * count or list length for the rest. Ops not listed here have one output argument, so
 * the index inside it is the flat index (Split, Unpack, While, IdentityN …).
 */
import type { AttrJson, FunctionJson, NodeJson } from './graph-types';
import { ConversionError } from './conversion-error';

type Count = number | ((attr: Record<string, AttrJson>) => number);

const one = 1;
const num = (name: string) => (attr: Record<string, AttrJson>) => Number(attr[name]?.i ?? 0);
const len = (name: string) => (attr: Record<string, AttrJson>) => attr[name]?.list?.type?.length ?? 0;

const OUTPUT_ARGS: Record<string, [string, Count][]> = {
  FusedBatchNorm: [['y', one], ['batch_mean', one], ['batch_variance', one], ['reserve_space_1', one], ['reserve_space_2', one]],
  FusedBatchNormV2: [['y', one], ['batch_mean', one], ['batch_variance', one], ['reserve_space_1', one], ['reserve_space_2', one]],
  FusedBatchNormV3: [['y', one], ['batch_mean', one], ['batch_variance', one], ['reserve_space_1', one], ['reserve_space_2', one], ['reserve_space_3', one]],
  TopKV2: [['values', one], ['indices', one]],
  Unique: [['y', one], ['idx', one]],
  UniqueV2: [['y', one], ['idx', one]],
  Switch: [['output_false', one], ['output_true', one]],
  Merge: [['output', one], ['value_index', one]],
  BroadcastGradientArgs: [['r0', one], ['r1', one]],
  NonMaxSuppressionV4: [['selected_indices', one], ['valid_outputs', one]],
  NonMaxSuppressionV5: [['selected_indices', one], ['selected_scores', one], ['valid_outputs', one]],
  ParseExample: [['sparse_indices', num('Nsparse')], ['sparse_values', len('sparse_types')], ['sparse_shapes', num('Nsparse')], ['dense_values', len('Tdense')]],
  ParseExampleV2: [
    ['sparse_indices', num('num_sparse')],
    ['sparse_values', len('sparse_types')],
    ['sparse_shapes', num('num_sparse')],
    ['dense_values', len('Tdense')],
    ['ragged_values', len('ragged_value_types')],
    ['ragged_row_splits', len('ragged_split_types')],
  ],
  CudnnRNN: [['output', one], ['output_h', one], ['output_c', one], ['reserve_space', one]],
  CudnnRNNV2: [['output', one], ['output_h', one], ['output_c', one], ['reserve_space', one], ['host_reserved', one]],
  CudnnRNNV3: [['output', one], ['output_h', one], ['output_c', one], ['reserve_space', one], ['host_reserved', one]],
};

/** The flat output index of `producer`'s argument `argName`, element `index`. */
export function flatOutputIndex(producer: NodeJson, argName: string, index: number, functions: Map<string, FunctionJson>): number {
  const fn = functions.get(producer.op);
  if (fn) {
    const position = (fn.signature.outputArg ?? []).findIndex((a) => a.name === argName);
    if (position < 0) throw new ConversionError(`function ${producer.op} has no output "${argName}"`);
    return position + index;
  }
  const args = OUTPUT_ARGS[producer.op];
  if (!args) return index;
  let offset = 0;
  for (const [name, count] of args) {
    if (name === argName) return offset + index;
    offset += typeof count === 'number' ? count : count(producer.attr ?? {});
  }
  throw new ConversionError(`op ${producer.op} (node ${producer.name}) has no output "${argName}"`);
}
