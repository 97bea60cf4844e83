/**
 * The tensors a kernel keeps for its gradient, kept without a kernel call. tfjs saves
 * each one as a clone: an Identity kernel through the whole engine, and a tape node
 * that links the clone to the original for second-order gradients. With one level of
 * gradients (the tape's depth is 1: training) that node is never on a path from the
 * variables to the loss, yet every backward pass walks it: a training step of the MLP
 * sample (batch 10) ran 16 such clones among its 45 kernels. Here the clone is the same
 * data with one more reference, as the Identity kernel makes it, and no tape node;
 * nested gradients keep tfjs' own way.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { Tf } from './tf-module';

interface DataInfo {
  dataId: object;
  shape: number[];
  dtype: Tensor['dtype'];
}

/** The parts of tfjs' engine this uses (not in its public types). */
interface EngineInternals {
  backend: { incRef(dataId: object): void };
  state: { gradientDepth: number; tensorInfo: { get(dataId: object): { backend: unknown } | undefined } };
  keep<T extends Tensor>(t: T): T;
  makeTensorFromTensorInfo(info: DataInfo, backend: unknown): Tensor;
  saveTensorsForBackwardMode(tensors: Tensor[]): Tensor[];
}

/** Per engine: what puts tfjs' own way back. */
const installed = new WeakMap<object, () => void>();

/** Installs the shortcut on tf's engine (once; later calls change nothing); returns what puts tfjs' own way back. */
export function keepSavedTensorsWithoutKernels(tf: Tf): () => void {
  const engine = tf.engine() as unknown as EngineInternals;
  const done = installed.get(engine);
  if (done) return done;
  if (typeof engine.saveTensorsForBackwardMode !== 'function' || typeof engine.makeTensorFromTensorInfo !== 'function') return () => undefined;
  const tfjsWay = engine.saveTensorsForBackwardMode;
  engine.saveTensorsForBackwardMode = function (this: EngineInternals, tensors: Tensor[]): Tensor[] {
    const backend = engine.backend;
    const here = tensors.every((t) => engine.state.tensorInfo.get(t.dataId)?.backend === backend);
    if (engine.state.gradientDepth !== 1 || !here) return tfjsWay.call(engine, tensors);
    return tensors.map((t) => {
      backend.incRef(t.dataId);
      return engine.keep(engine.makeTensorFromTensorInfo({ dataId: t.dataId, shape: t.shape, dtype: t.dtype }, backend));
    });
  };
  const restore = () => {
    engine.saveTensorsForBackwardMode = tfjsWay;
    installed.delete(engine);
  };
  installed.set(engine, restore);
  return restore;
}
