/**
 * The library boot files may import as `require('modelarts')` (or `import … from
 * 'modelarts'`): arguments, the IDX reader, metric reporting, saving a model, and
 * tfjs on the best backend this machine has. Boot files may ignore it entirely.
 */
import { compute, Compute, Tf } from '../../platform/compute/tf';
import { saveModelTo } from '../../platform/compute/model-io';

export { parseArgs, numberArg, stringArg } from './args';
export type { Args } from './args';
export { readIdx, parseIdx, IdxError } from './idx';
export type { IdxArray } from './idx';
export { report } from './report';
export { writeModelPackage } from './model-package';

/** tfjs, initialised on the fastest backend available (tfjs-node, else wasm, else cpu). */
export async function loadTf(): Promise<Tf> {
  return (await compute()).tf;
}

/** The backend in use and why faster ones were not. */
export function computeInfo(): Promise<Compute> {
  return compute();
}

/** Saves a tfjs model as model.json + weights.bin in `dir`, loadable by the platform's services. */
export async function saveModel(model: Parameters<typeof saveModelTo>[0], dir: string): Promise<void> {
  await saveModelTo(model, dir);
}
