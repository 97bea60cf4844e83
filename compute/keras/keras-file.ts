/**
 * Reads a Keras model file: the model's config and each layer's weights, in the order
 * Keras keeps them. The format is told by the file's first bytes, not its name: HDF5
 * (`.h5`, Keras 2 and Keras 3's legacy writer, and some files named `.keras`) keeps
 * `model_config` and `model_weights/<layer>/weight_names`; a Keras 3 `.keras` file is a
 * zip of `config.json` and `model.weights.h5`, whose `layers/<name>/vars/<i>` are named
 * after each layer's class, numbered in the model's order (not after the layer's name).
 */
import { unzipSync } from 'fflate';
import * as hdf5 from 'jsfive';
import { ConversionError } from '../savedmodel/conversion-error';

const HDF5_MAGIC = Buffer.from([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a]);
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);

interface LayerWeights {
  layer: string;
  values: { shape: number[]; data: Float32Array }[];
}

export interface KerasFile {
  format: 'hdf5' | 'keras-zip';
  config: KerasConfig;
  weights: LayerWeights[];
}

export type KerasConfig = { class_name: string; config: unknown; [key: string]: unknown };

export function kerasFormat(bytes: Uint8Array): KerasFile['format'] | undefined {
  const head = Buffer.from(bytes.subarray(0, 8));
  if (head.equals(HDF5_MAGIC)) return 'hdf5';
  if (head.subarray(0, 4).equals(ZIP_MAGIC)) return 'keras-zip';
  return undefined;
}

export function readKerasFile(bytes: Uint8Array, label: string): KerasFile {
  const format = kerasFormat(bytes);
  if (format === 'hdf5') return readHdf5(bytes, label);
  if (format === 'keras-zip') return readZip(bytes, label);
  throw new ConversionError(`${label} is neither HDF5 nor a .keras zip (its first bytes are neither): it is not a Keras model file`);
}

function open(bytes: Uint8Array, label: string): hdf5.File {
  try {
    return new hdf5.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer, label);
  } catch (err) {
    throw new ConversionError(`${label} cannot be read as HDF5: ${(err as Error).message}`);
  }
}

function readHdf5(bytes: Uint8Array, label: string): KerasFile {
  const file = open(bytes, label);
  const text = attrText(file.attrs.model_config);
  if (!text) throw new ConversionError(`${label} holds weights only (no model_config): save the whole model (model.save), not save_weights`);
  const group = (file.get('model_weights') ?? file) as hdf5.Group;
  const names = attrList(group.attrs.layer_names);
  const weights = names.map((layer) => {
    const g = group.get(layer) as hdf5.Group | undefined;
    const values = attrList(g?.attrs.weight_names).map((w) => dataset(g!, w, `${label}: weight ${layer}/${w}`));
    return { layer, values };
  });
  return { format: 'hdf5', config: JSON.parse(text) as KerasConfig, weights };
}

function readZip(bytes: Uint8Array, label: string): KerasFile {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes, { filter: (f) => f.name === 'config.json' || f.name === 'model.weights.h5' });
  } catch (err) {
    throw new ConversionError(`${label} is a damaged zip: ${(err as Error).message}`);
  }
  if (!files['config.json'] || !files['model.weights.h5']) throw new ConversionError(`${label} is a zip without config.json and model.weights.h5: it is not a Keras 3 .keras file`);
  const config = JSON.parse(Buffer.from(files['config.json']).toString('utf8')) as KerasConfig;
  const h5 = open(files['model.weights.h5'], `${label} (model.weights.h5)`);
  const layersGroup = h5.get('layers') as hdf5.Group | undefined;
  const used = new Map<string, number>();
  const weights = layerConfigs(config).map((layer) => {
    const base = snakeCase(layer.class_name);
    const n = used.get(base) ?? 0;
    used.set(base, n + 1);
    const group = layersGroup?.get(n === 0 ? base : `${base}_${n}`) as hdf5.Group | undefined;
    return { layer: layer.config.name, values: group ? vars(group, `${label}: layer ${layer.config.name}`) : [] };
  });
  return { format: 'keras-zip', config, weights };
}

/** A layer's variables: its own `vars/<i>` in order, then those of its sublayers (an RNN's cell). */
function vars(group: hdf5.Group, where: string): LayerWeights['values'] {
  const own = group.get('vars') as hdf5.Group | undefined;
  const out = (own?.keys ?? []).sort((a, b) => Number(a) - Number(b)).map((k) => dataset(own!, k, where));
  for (const key of group.keys.filter((k) => k !== 'vars').sort()) {
    const child = group.get(key);
    if (child && Array.isArray((child as hdf5.Group).keys)) out.push(...vars(child as hdf5.Group, where));
  }
  return out;
}

export function layerConfigs(config: KerasConfig): { class_name: string; config: { name: string } }[] {
  const inner = config.config as { layers?: unknown } | unknown[];
  const layers = Array.isArray(inner) ? inner : ((inner as { layers?: unknown[] }).layers ?? []);
  return layers as { class_name: string; config: { name: string } }[];
}

function dataset(group: hdf5.Group, path: string, where: string): { shape: number[]; data: Float32Array } {
  const d = group.get(path) as hdf5.Dataset | undefined;
  if (!d || Array.isArray((d as unknown as hdf5.Group).keys)) throw new ConversionError(`${where} is missing`);
  if (typeof d.dtype === 'string' && !/^[<>]?f[248]$/.test(d.dtype)) throw new ConversionError(`${where} has dtype ${d.dtype}; only float weights are read`);
  return { shape: [...d.shape], data: Float32Array.from(d.value as ArrayLike<number>) };
}

function attrText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  return undefined;
}

function attrList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (typeof v === 'string' ? v : Buffer.from(v as Uint8Array).toString('utf8')).replace(/\0+$/, ''));
}

/** Keras' own naming: "BatchNormalization" → "batch_normalization", "Conv2D" → "conv2d". */
function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}
