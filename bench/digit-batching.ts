/**
 * What batching does for a heavy model: the DigitClassifier sample (25.9 M parameters,
 * its own inference code and config.json, weights as initialised — the time of a
 * prediction does not depend on their values) deployed twice, batching auto and off,
 * each at concurrency 32 in interleaved rounds; and, as the ceiling, one model call of
 * one image against one of 32 in this process.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { compute } from '../compute/tf';
import { fileSaveHandler } from '../compute/model-io';
import { repoPath } from '../kernel/paths';
import { startTestPlatform, tempDir } from '../test/helpers/platform';
import { api } from '../test/helpers/http';
import { uploadFolder } from '../test/helpers/mnist-model';
import { deployService } from '../test/helpers/services';
import { loadFromAnotherProcess, loadPhase, type LoadFigures } from './load';
import { digitUpload } from './predictions';

const ROUNDS = 2;
const CONCURRENCY = 32;
const CALL_RUNS = 3;

export interface DigitBatchingFigures {
  rounds: number;
  /** What the deploy said about batching the model. */
  batching: string;
  batched: LoadFigures;
  unbatched: LoadFigures;
  /** One model call in this process: an image alone, and CONCURRENCY images stacked. */
  model_ms: { batch1: number; batch: number; batched: number };
  runs: (LoadFigures & { side: 'batched' | 'unbatched' })[];
}

export async function benchDigitBatching(seconds: number, say: (line: string) => void): Promise<DigitBatchingFigures> {
  say('DigitClassifier: building the package and timing one model call');
  const { dir, model_ms } = await digitClassifierPackage();
  const t = await startTestPlatform();
  try {
    const url = await uploadFolder(t.store, dir, 'obs://bench-digits/digit-cnn/');
    const imported = await api(t.url, 'POST', '/models/import', { name: 'digit-cnn', version: '1.0.0', url });
    if (imported.status !== 201) throw new Error(`import failed: ${JSON.stringify(imported.body)}`);
    const deploy = async (name: string, batching?: false) => {
      const s = await deployService(t.url, { name, model_id: imported.body.id, ...(batching === false && { batching }) });
      if (s.status !== 'running') throw new Error(`${name} did not deploy: ${JSON.stringify(s.events)}`);
      return s;
    };
    const services = { batched: await deploy('digits-batched'), unbatched: await deploy('digits-unbatched', false) };
    const platformPid = loadFromAnotherProcess() ? [process.pid] : [];
    const runs: DigitBatchingFigures['runs'] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      for (const side of ['unbatched', 'batched'] as const) {
        say(`DigitClassifier round ${r} of ${ROUNDS}: batching ${side === 'batched' ? 'auto' : 'off'}, concurrency ${CONCURRENCY}, ${seconds} s`);
        const s = services[side];
        runs.push({ side, ...(await loadPhase(s.access_address, digitUpload(), CONCURRENCY, seconds, [...s.instances.map((i: { pid: number }) => i.pid), ...platformPid])) });
      }
    }
    const best = (side: 'batched' | 'unbatched') => runs.filter((f) => f.side === side).sort((a, b) => b.rps - a.rps)[0];
    const note = (services.batched.events as { message: string }[]).find((e) => /^batching/.test(e.message))?.message ?? 'no batching note';
    return { rounds: ROUNDS, batching: note, batched: best('batched'), unbatched: best('unbatched'), model_ms, runs };
  } finally {
    await t.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The sample's model package with freshly initialised weights, and the time of one call at batch 1 and CONCURRENCY. */
async function digitClassifierPackage(): Promise<{ dir: string; model_ms: DigitBatchingFigures['model_ms'] }> {
  const dir = await tempDir('bench-digit-cnn');
  const modelDir = path.join(dir, 'model');
  const code = repoPath('samples', 'digit-cnn', 'code');
  await fs.cp(path.join(code, 'model-package'), modelDir, { recursive: true });
  const { tf } = await compute();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's CommonJS boot-file module, by its path
  const { buildDigitClassifier } = require(path.join(code, 'digit_classifier.js')) as { buildDigitClassifier: (tf: unknown) => LayersModel };
  const net = buildDigitClassifier(tf);
  try {
    await net.save(fileSaveHandler(modelDir));
    const time = (batch: number): number => {
      const x = tf.zeros([batch, 28, 28, 1]);
      const call = () => {
        const start = performance.now();
        const y = net.predict(x) as Tensor;
        y.dataSync();
        y.dispose();
        return performance.now() - start;
      };
      call();
      const times = Array.from({ length: CALL_RUNS }, call).sort((a, b) => a - b);
      x.dispose();
      return times[Math.floor(CALL_RUNS / 2)];
    };
    return { dir, model_ms: { batch1: time(1), batch: CONCURRENCY, batched: time(CONCURRENCY) } };
  } finally {
    net.dispose();
  }
}
