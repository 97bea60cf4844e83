/**
 * The library boot files may import as `require('modelarts')` (or `import … from
 * 'modelarts'`): arguments, the IDX reader and MNIST sets in mini-batches, metric
 * reporting, saving and loading models, checkpoints for resumable training, package
 * files, and tfjs on the best backend this machine has. Boot files may ignore it entirely.
 */
import { compute, Compute, ComputeOptions, Tf } from '../../compute/tf';
import { loadModelFrom, saveModelTo } from '../../compute/model-io';
import type { LayersModel } from '@tensorflow/tfjs';

export { parseArgs, numberArg, stringArg } from './args';
export type { Args } from './args';
export { readIdx, parseIdx, IdxError } from './idx';
export type { IdxArray } from './idx';
export { report } from './report';
export { readMnist, batches } from './mnist';
export type { ImageSet, Batch } from './mnist';
export { saveCheckpoint, latestCheckpoint, restoreCheckpoint } from './checkpoint';
export { writePackageFiles } from './package-files';
export { saveGrayPng } from './png';
export type { Checkpoint } from './checkpoint';

/**
 * tfjs, initialised on the fastest backend available (tfjs-node, else wasm, else cpu),
 * or on the fastest that has every kernel in `needs`, or on `backend`.
 */
export async function loadTf(options: ComputeOptions = {}): Promise<Tf> {
  return (await compute(options)).tf;
}

/** The backend in use and why faster ones were not. */
export function computeInfo(options: ComputeOptions = {}): Promise<Compute> {
  return compute(options);
}

/** Saves a tfjs model as model.json + weights.bin in `dir`, loadable by the platform's services. */
export async function saveModel(model: Parameters<typeof saveModelTo>[0], dir: string): Promise<void> {
  await saveModelTo(model, dir);
}

/** Loads the Layers model saved in `dir` (model.json + weights), e.g. another job's output. */
export async function loadModel(dir: string): Promise<LayersModel> {
  const loaded = await loadModelFrom(dir, await loadTf());
  if (loaded.kind !== 'layers') {
    loaded.dispose();
    throw new Error(`${dir} holds a graph model; loadModel reads Layers models (as saveModel writes them)`);
  }
  return loaded.model as LayersModel;
}
