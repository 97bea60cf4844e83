/**
 * A real MNIST classifier without training: nearest class centroid, written as one
 * dense softmax layer (logit_c = x·μ_c − |μ_c|²/2), input `images`, output `scores`.
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { compute, type Tf } from '../../../compute/tf';
import { saveModelTo } from '../../../compute/model-io';
import { firstTrainDigits } from '../../helpers/mnist-model';
import type { Digit } from '../../../samples/mnist/dataset';

const CLASSES = 10;
const FEATURES = 784;

export function centroidModel(tf: Tf, samples = 3000): LayersModel {
  const sums = new Float64Array(CLASSES * FEATURES);
  const counts = new Array<number>(CLASSES).fill(0);
  for (const d of firstTrainDigits(samples)) {
    counts[d.label]++;
    d.pixels.forEach((v, i) => (sums[d.label * FEATURES + i] += v / 255));
  }
  const kernel = new Float32Array(FEATURES * CLASSES);
  const bias = new Float32Array(CLASSES);
  for (let c = 0; c < CLASSES; c++) {
    let norm = 0;
    for (let i = 0; i < FEATURES; i++) {
      const mean = sums[c * FEATURES + i] / counts[c];
      kernel[i * CLASSES + c] = mean;
      norm += mean * mean;
    }
    bias[c] = -norm / 2;
  }
  const input = tf.input({ name: 'images', shape: [FEATURES] });
  const dense = tf.layers.dense({ units: CLASSES, activation: 'softmax', name: 'scores' });
  const model = tf.model({ inputs: input, outputs: dense.apply(input) as ReturnType<typeof tf.input> });
  const weights = [tf.tensor2d(kernel, [FEATURES, CLASSES]), tf.tensor1d(bias)];
  dense.setWeights(weights);
  tf.dispose(weights);
  return model;
}

/** Saves the centroid model into `dir` with the process' backend. */
export async function saveCentroidModel(dir: string): Promise<void> {
  const { tf } = await compute();
  const model = centroidModel(tf);
  await saveModelTo(model, dir);
  model.dispose();
}

export function toVector(d: Digit): number[] {
  return Array.from(d.pixels, (v) => v / 255);
}

export function argmax(values: number[]): number {
  return values.reduce((best, v, i) => (v > values[best] ? i : best), 0);
}
