/**
 * The tfjs that inference code and the serving process share. tfjs keeps one engine
 * per process, so the plain module is already usable; `initRuntime()` swaps in the
 * module of the backend `compute()` chose (tfjs-node's own exports when it is native).
 */
import * as tfjs from '@tensorflow/tfjs';
import { compute, type BackendName, type Tf } from '../../compute/tf';

export let tf: Tf = tfjs;
export let backend: BackendName | undefined;

export async function initRuntime(): Promise<Tf> {
  const chosen = await compute();
  tf = chosen.tf;
  backend = chosen.backend;
  return tf;
}
