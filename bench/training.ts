/**
 * Training overhead: the tutorial job (the MNIST sample's boot file, 1000 steps) run
 * directly with node on local files, and submitted to the platform (POST → Completed,
 * outputs in the bucket), alternately, so both meet the same machine.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { linkRuntimeModules, prepareRuntimeModules } from '../compute/runtime-modules';
import { startTestPlatform } from '../test/helpers/platform';
import { createJob, waitForJob } from '../test/helpers/jobs';
import { MNIST_BOOT, MNIST_CODE, mnistGz, uploadMnistCode, uploadMnistData } from '../test/helpers/mnist-model';
import { tempDir } from '../test/helpers/platform';
import { round } from './load';

const ROUNDS = 3;
const BUCKET = 'bench-training';

export interface TrainingFigures {
  steps: number;
  direct_s: number[];
  platform_s: number[];
}

export async function benchTraining(steps: number, say: (line: string) => void): Promise<TrainingFigures> {
  const t = await startTestPlatform();
  try {
    await uploadMnistData(t.store, `obs://${BUCKET}/mnist/dataset-mnist/`);
    await uploadMnistCode(t.store, `obs://${BUCKET}/mnist/mnist-tensorflow-code/`);
    const figures: TrainingFigures = { steps, direct_s: [], platform_s: [] };
    for (let i = 0; i < ROUNDS; i++) {
      say(`training: direct run ${i + 1} of ${ROUNDS}`);
      figures.direct_s.push(await direct(steps));
      say(`training: through the platform ${i + 1} of ${ROUNDS}`);
      figures.platform_s.push(await throughPlatform(t.url, steps, i));
    }
    return figures;
  } finally {
    await t.close();
  }
}

/**
 * `node train_mnist_tfjs.js` on local files, as a user would run it without the platform.
 * Detached like the platform's jobs: Linux schedules each session as a group, and a
 * job in a session of its own would otherwise get a larger share of a busy machine.
 */
async function direct(steps: number): Promise<number> {
  const work = await tempDir('bench-direct');
  await fs.cp(MNIST_CODE, path.join(work, 'code'), { recursive: true });
  await linkRuntimeModules(work, await prepareRuntimeModules(work));
  const out = path.join(work, 'out');
  await fs.mkdir(out);
  const args = [path.join(work, 'code', MNIST_BOOT), `--data_url=${await mnistGz()}/`, `--train_url=${out}/`, `--max_steps=${steps}`];
  const start = performance.now();
  await runDetached(process.execPath, args, path.join(work, 'code'));
  const seconds = (performance.now() - start) / 1000;
  await fs.rm(work, { recursive: true, force: true });
  return round(seconds);
}

function runDetached(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
    let errors = '';
    child.stderr!.on('data', (c: Buffer) => (errors = (errors + c.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`the direct run exited with ${code}: ${errors}`))));
  });
}

async function throughPlatform(url: string, steps: number, i: number): Promise<number> {
  const start = performance.now();
  const job = await createJob(url, {
    name: `trainjob-mnist-${i}`,
    algorithm: {
      engine: 'tfjs',
      code_dir: `obs://${BUCKET}/mnist/mnist-tensorflow-code/`,
      boot_file: MNIST_BOOT,
      parameters: [{ name: 'max_steps', value: String(steps) }],
    },
    data_url: `obs://${BUCKET}/mnist/dataset-mnist/`,
    train_url: `obs://${BUCKET}/mnist/mnist-model-${i}/`,
  });
  const done = await waitForJob(url, job.id, undefined, undefined, 300_000);
  const seconds = (performance.now() - start) / 1000;
  const status = done.versions[done.versions.length - 1].status;
  if (status !== 'Completed') throw new Error(`the tutorial job ended ${status}`);
  return round(seconds);
}
