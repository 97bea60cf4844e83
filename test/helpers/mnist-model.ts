import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { linkRuntimeModules, prepareRuntimeModules } from '../../compute/runtime-modules';
import { repoPath } from '../../kernel/paths';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { ObjectStore } from '../../kernel/storage/object-store';
import { Digit, digitPng, gzipMnistTo, readDigits, readTestDigits } from '../../samples/mnist/dataset';
import { tempDir } from './platform';

const run = promisify(execFile);
export const MNIST_CODE = repoPath('samples', 'mnist', 'code');
export const MNIST_BOOT = 'train_mnist_tfjs.js';

let gzDir: Promise<string> | undefined;
let trained: Promise<string> | undefined;

/** The four MNIST .gz files, made once per test run. */
export function mnistGz(): Promise<string> {
  gzDir ??= tempDir('mnist-gz').then(async (dir) => {
    await gzipMnistTo(dir);
    return dir;
  });
  return gzDir;
}

/**
 * A model package (model/ with config.json, hook, model files) made by the MNIST
 * sample's boot file on real MNIST, run once per test run. Returns the folder holding model/.
 */
export function trainedMnistPackage(steps = 200): Promise<string> {
  trained ??= (async () => {
    const work = await tempDir('mnist-train');
    await fs.cp(MNIST_CODE, path.join(work, 'code'), { recursive: true });
    await linkRuntimeModules(work, await prepareRuntimeModules(work));
    const out = path.join(work, 'out');
    await fs.mkdir(out);
    await run(process.execPath, [path.join(work, 'code', MNIST_BOOT), `--data_url=${await mnistGz()}/`, `--train_url=${out}/`, `--max_steps=${steps}`], {
      cwd: path.join(work, 'code'),
      maxBuffer: 16 * 1024 * 1024,
    });
    return out;
  })();
  return trained;
}

/** Uploads a local folder (holding model/) to an OBS folder; returns its obs:// URL. */
export async function uploadFolder(store: ObjectStore, local: string, url: string): Promise<string> {
  const target = parseObsUrl(url);
  await store.ensureBucket(target.bucket);
  await store.uploadDir(local, target);
  return url;
}

export async function uploadMnistData(store: ObjectStore, url: string): Promise<void> {
  await uploadFolder(store, await mnistGz(), url);
}

export async function uploadMnistCode(store: ObjectStore, url: string): Promise<void> {
  await uploadFolder(store, MNIST_CODE, url);
}

/** Real MNIST test-set digits by index, each with its PNG. */
export function testDigits(indices: number[]): (Digit & { png: Buffer })[] {
  return readTestDigits(indices).map((d) => ({ ...d, png: digitPng(d) }));
}

/** The first `count` digits of the test set, each with its PNG. */
export function firstTestDigits(count: number): (Digit & { png: Buffer })[] {
  return testDigits(firstIndices(count));
}

/** The first `count` digits of the training set. */
export function firstTrainDigits(count: number): Digit[] {
  return readDigits('train', firstIndices(count));
}

function firstIndices(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
