/** From a decoded image to what a model takes, the usual MNIST-style way. */
import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime';
import type { DecodedImage } from '../../../kernel/image/decode';

export interface VectorOptions {
  /** Multiplies every byte; 1/255 by default, so pixels land in [0, 1]. */
  scale?: number;
  /** Reads 255 - v: dark digits on white paper become MNIST's light-on-dark. */
  invert?: boolean;
}

/** The pixels as one flat Float32Array (row-major, channels last). */
export function toFloatVector(image: DecodedImage, options: VectorOptions = {}): Float32Array {
  const scale = options.scale ?? 1 / 255;
  const out = new Float32Array(image.data.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = (options.invert ? 255 - image.data[i] : image.data[i]) * scale;
  }
  return out;
}

/** A float32 tensor [1, height, width, channels] (or without the batch dim); the caller disposes it. */
export function imageToTensor(image: DecodedImage, options: VectorOptions & { batch?: boolean } = {}): Tensor {
  const shape = [image.height, image.width, image.channels];
  return tf.tensor(toFloatVector(image, options), options.batch === false ? shape : [1, ...shape], 'float32');
}
