/**
 * Prediction of the DigitClassifier (25.9 M parameters) through a real-time service,
 * as the digit-cnn sample packages it (its config.json and hook): milliseconds per
 * image with one client (batch 1) and images/s with 32, with the instance computing on
 * the native backend and on wasm (TF_BACKEND for the platform, which passes it on).
 */
import path from 'node:path';
import type { LayersModel } from '@tensorflow/tfjs';
import { compute } from '../compute/tf';
import { saveModelTo } from '../compute/model-io';
import { repoPath } from '../kernel/paths';
import { writePackageFiles } from '../jobs/runtime/package-files';
import { api } from '../test/helpers/http';
import { uploadFolder } from '../test/helpers/mnist-model';
import { startTestPlatform, tempDir } from '../test/helpers/platform';
import { deployService } from '../test/helpers/services';
import { loadPhase, type LoadFigures } from './load';
import { digitUpload } from './predictions';

export interface DigitServiceFigures {
  backend: string;
  c1?: LoadFigures;
  c32?: LoadFigures;
  error?: string;
}

/** The sample's network (untrained: the time does not depend on the weights) saved as a model package. */
async function digitPackage(): Promise<string> {
  const { tf } = await compute();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's CommonJS boot-file module, by its path
  const { buildDigitClassifier } = require(repoPath('samples', 'digit-cnn', 'code', 'digit_classifier.js')) as { buildDigitClassifier: (t: unknown) => LayersModel };
  const dir = await tempDir('digit-package');
  const model = buildDigitClassifier(tf);
  await saveModelTo(model, path.join(dir, 'model'));
  model.dispose();
  await writePackageFiles(repoPath('samples', 'digit-cnn', 'code', 'model-package'), path.join(dir, 'model'));
  return dir;
}

export async function benchDigitService(backends: string[], seconds: number, say: (line: string) => void): Promise<DigitServiceFigures[]> {
  const pkg = await digitPackage();
  const out: DigitServiceFigures[] = [];
  for (const backend of backends) {
    say(`DigitClassifier service on ${backend}: import, deploy, concurrency 1 and 32`);
    out.push(await onBackend(pkg, backend, seconds).catch((err: Error) => ({ backend, error: err.message.split('\n')[0] })));
  }
  return out;
}

async function onBackend(pkg: string, backend: string, seconds: number): Promise<DigitServiceFigures> {
  const threads: Record<string, string> = process.env.COMPUTE_THREADS ? { COMPUTE_THREADS: process.env.COMPUTE_THREADS } : {};
  const t = await startTestPlatform({ TF_BACKEND: backend, ...threads });
  try {
    const url = await uploadFolder(t.store, pkg, 'obs://bench-digit/package/');
    const model = await api(t.url, 'POST', '/models/import', { name: 'digit-classifier', version: '1.0.0', url });
    if (model.status !== 201) throw new Error(`import failed: ${JSON.stringify(model.body)}`);
    const service = await deployService(t.url, { name: 'digit-bench', model_id: model.body.id, instance_count: 1 });
    if (service.status !== 'running') throw new Error(`the service did not deploy: ${JSON.stringify(service.events)}`);
    const pids = service.instances.map((i: { pid: number }) => i.pid);
    const upload = digitUpload();
    const c1 = await loadPhase(service.access_address, upload, 1, seconds, pids);
    const c32 = await loadPhase(service.access_address, upload, 32, seconds, pids);
    return { backend, c1, c32 };
  } finally {
    await t.close();
  }
}
