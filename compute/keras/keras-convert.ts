/**
 * A Keras model file → a tfjs layers model, saved as model.json + weights.bin: the
 * config translated for tfjs-layers, each layer's weights set in Keras' own order.
 * What tfjs-layers cannot build is refused with the layer's class and the file.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import type { Tf } from '../tf-module';
import { saveModelTo } from '../model-io';
import { ConversionError } from '../savedmodel/conversion-error';
import { toTfjsConfig } from './keras-config';
import { layerConfigs, readKerasFile, type KerasFile } from './keras-file';

export async function convertKeras(bytes: Uint8Array, label: string, outDir: string, tf: Tf): Promise<{ format: KerasFile['format'] }> {
  const file = readKerasFile(bytes, label);
  const model = await buildModel(file, label, tf);
  try {
    setWeights(model, file, label, tf);
    await saveModelTo(model, outDir);
  } finally {
    model.dispose();
  }
  return { format: file.format };
}

async function buildModel(file: KerasFile, label: string, tf: Tf): Promise<LayersModel> {
  const config = toTfjsConfig(file.config, label);
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
  const unknown = layerConfigs(config).find((l) => !known.has(l.class_name));
  if (unknown) throw new ConversionError(`${label}: layer ${unknown.config.name} is a ${unknown.class_name}, which tfjs-layers has no implementation of (a custom layer, or one tfjs lacks)`);
  try {
    return await tf.models.modelFromJSON({ modelTopology: config as never });
  } catch (err) {
    throw new ConversionError(`${label}: tfjs-layers cannot build this model: ${(err as Error).message}`);
  }
}

function setWeights(model: LayersModel, file: KerasFile, label: string, tf: Tf): void {
  for (const { layer, values } of file.weights) {
    if (!values.length) continue;
    let target;
    try {
      target = model.getLayer(layer);
    } catch {
      throw new ConversionError(`${label}: weights are stored for layer ${layer}, which the model config does not have`);
    }
    if (target.weights.length !== values.length) {
      throw new ConversionError(`${label}: layer ${layer} (${target.getClassName()}) has ${target.weights.length} weights in tfjs and ${values.length} in the file`);
    }
    const tensors = values.map((v) => tf.tensor(v.data, v.shape));
    try {
      target.setWeights(tensors);
    } catch (err) {
      throw new ConversionError(`${label}: the weights of layer ${layer} do not fit: ${(err as Error).message}`);
    } finally {
      tf.dispose(tensors);
    }
  }
}
