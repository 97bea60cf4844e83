/**
 * A Keras model config as tfjs-layers reads it (Keras 2's words). Keras 3 writes the same
 * models differently: `batch_shape` for `batch_input_shape`, dtype policies as objects,
 * inbound nodes as call arguments holding `keras_history`, and `module`/`registered_name`
 * beside each class name. Those are translated here; what tfjs cannot build (a custom or
 * unknown layer, a mixed-precision policy) is refused by name.
 */
import { ConversionError } from '../savedmodel/conversion-error';
import type { KerasConfig } from './keras-file';

type Json = Record<string, unknown>;

export function toTfjsConfig(config: KerasConfig, label: string): KerasConfig {
  return translate(config, label) as KerasConfig;
}

function translate(value: unknown, label: string): unknown {
  if (Array.isArray(value)) return value.map((v) => translate(v, label));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Json;
  if (isDtypePolicy(obj)) return policyName(obj, label);
  const out: Json = {};
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'module' || key === 'registered_name' || key === 'build_config' || key === 'compile_config' || key === 'shared_object_id') continue;
    if (key === 'batch_shape') out.batch_input_shape = v;
    else if (key === 'inbound_nodes' && Array.isArray(v)) out.inbound_nodes = v.map(inboundNode);
    else if ((key === 'input_layers' || key === 'output_layers') && Array.isArray(v) && typeof v[0] === 'string') out[key] = [v];
    else out[key] = translate(v, label);
  }
  return out;
}

function isDtypePolicy(obj: Json): boolean {
  return (obj.class_name === 'DTypePolicy' || obj.class_name === 'Policy' || obj.class_name === 'FloatDTypePolicy') && typeof obj.config === 'object';
}

function policyName(obj: Json, label: string): string {
  const name = String((obj.config as Json).name ?? 'float32');
  if (name !== 'float32') throw new ConversionError(`${label} uses the dtype policy "${name}"; only float32 models are served here`);
  return name;
}

/** Keras 3's `{args: [keras tensors], kwargs}` → Keras 2's `[[layer, node, tensor, kwargs], …]`. */
function inboundNode(node: unknown): unknown {
  if (Array.isArray(node)) return node;
  const n = node as { args?: unknown[]; kwargs?: Json };
  const tensors: [string, number, number, Json][] = [];
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(collect);
    else if (v && typeof v === 'object' && (v as Json).class_name === '__keras_tensor__') {
      const history = ((v as Json).config as Json).keras_history as [string, number, number];
      tensors.push([history[0], history[1], history[2], {}]);
    }
  };
  collect(n.args ?? []);
  return tensors;
}
