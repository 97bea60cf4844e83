/**
 * SavedModels without TensorFlow (docs/models.md): the DigitClassifier CNN written by
 * TensorFlow (~100 MB of weights) — how long converting it takes and how much memory
 * (in a process of its own); its converted form against the same network built by our
 * own sample; and against TensorFlow itself (tf.saved_model.load and the signature
 * call, same threads, same digits), images/s at batch 1 and 32. Needs the tests'
 * Python environment (npm run test:venv).
 */
import { execFile, fork } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { compute } from '../compute/tf';
import { loadModelFrom } from '../compute/model-io';
import { CONVERTED_JSON } from '../compute/savedmodel/converted-format';
import { wrapModel, type LoadedModel } from '../compute/loaded-model';
import { loadComputeConfig } from '../kernel/config';
import { distPath, repoPath } from '../kernel/paths';
import { testVenv } from '../test/helpers/test-venv';
import { digitClassifierModels, mnistTestSet } from '../test/helpers/tf-models';
import { tempDir } from '../test/helpers/platform';

const run = promisify(execFile);

export interface SavedModelFigures {
  conversion?: { ms: number; peak_rss_mb: number; weights_mb: number };
  images_per_s?: { converted: Record<string, number>; sample: Record<string, number>; tensorflow?: Record<string, number> };
  tensorflow?: string;
  unavailable?: string;
}

export async function benchSavedModel(seconds: number, say: (line: string) => void): Promise<SavedModelFigures> {
  const venv = testVenv().venv;
  if (!venv) return { unavailable: 'the tests\' Python environment is not set up (npm run test:venv): TensorFlow writes the model' };
  say('savedmodel: TensorFlow trains and exports the DigitClassifier');
  const models = await digitClassifierModels(venv, 512);
  const saved = path.join(models, 'my_digit_classifier', '1');
  const out = await tempDir('bench-converted');
  say('savedmodel: converting it (a process of its own, for its peak memory)');
  const conversion = await convertInChild(saved, out);
  const digits = mnistTestSet(1000).images.map((px) => px.map((v) => v / 255));
  const { tf } = await compute();
  const converted = await loadModelFrom(path.join(out, CONVERTED_JSON), tf);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's own network definition
  const { buildDigitClassifier } = require(repoPath('samples', 'digit-cnn', 'code', 'digit_classifier.js')) as { buildDigitClassifier: (t: unknown) => import('@tensorflow/tfjs').LayersModel };
  const sample = wrapModel(tf, { kind: 'layers', model: buildDigitClassifier(tf) });
  say('savedmodel: images/s, converted vs the sample\'s network, batch 1 and 32');
  const figures: SavedModelFigures = { conversion, images_per_s: { converted: await rates(converted, digits, seconds), sample: await rates(sample, digits, seconds) } };
  sample.dispose();
  converted.dispose();
  say('savedmodel: TensorFlow itself on the same SavedModel');
  const file = path.join(out, 'digits.json');
  await fs.writeFile(file, JSON.stringify(digits.map((px) => Array.from({ length: 28 }, (_, r) => px.slice(r * 28, r * 28 + 28).map((v) => [v])))));
  const { stdout } = await run(venv.python, [repoPath('bench', 'savedmodel_peer.py'), saved, 'serving_default', 'images', file, String(loadComputeConfig().threads), String(seconds)], { maxBuffer: 1 << 24 });
  const peer = JSON.parse(stdout.trim().split('\n').pop()!) as { tensorflow: string; batch_1: number; batch_32: number };
  figures.tensorflow = peer.tensorflow;
  figures.images_per_s!.tensorflow = { batch_1: peer.batch_1, batch_32: peer.batch_32 };
  return figures;
}

async function rates(model: LoadedModel, digits: number[][], seconds: number): Promise<Record<string, number>> {
  const name = model.inputs[0].name;
  const out: Record<string, number> = {};
  for (const batch of [1, 32]) {
    const shaped = (at: number) => digits.slice(at, at + batch).map((px) => Array.from({ length: 28 }, (_, r) => px.slice(r * 28, r * 28 + 28).map((v) => [v])));
    await model.predict({ [name]: shaped(0) });
    let count = 0;
    const start = performance.now();
    for (let i = 0; performance.now() - start < seconds * 1000; i++) {
      await model.predict({ [name]: shaped((i * batch) % (digits.length - batch)) });
      count += batch;
    }
    out[`batch_${batch}`] = count / ((performance.now() - start) / 1000);
  }
  return out;
}

function convertInChild(saved: string, out: string): Promise<NonNullable<SavedModelFigures['conversion']>> {
  return new Promise((resolve, reject) => {
    const child = fork(distPath('bench', 'savedmodel-convert.js'), [saved, out], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (m) => resolve(m as NonNullable<SavedModelFigures['conversion']>));
    child.once('error', reject);
    child.once('exit', (code) => (code ? reject(new Error(`the conversion process exited with ${code}`)) : undefined));
  });
}
