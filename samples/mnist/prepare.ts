import path from 'node:path';
import { ObjectStore, walkFiles } from '../../kernel/storage/object-store';
import { ObsUrl } from '../../kernel/storage/obs-url';
import { repoPath } from '../../kernel/paths';
import { gzipMnistTo } from './dataset';

/** The tutorial's names: bucket and folders as in "Preparing Data". */
export const TUTORIAL = {
  bucket: 'test-modelarts',
  dataset: 'mnist/dataset-mnist/',
  code: 'mnist/mnist-tensorflow-code/',
  output: 'mnist/mnist-model/',
  /** Test digits for the batch service tutorial (samples/mnist/batch-input.ts), and where its results go. */
  batchInput: 'mnist/batch-input/',
  batchOutput: 'mnist/batch-output/',
  bootFile: 'train_mnist_tfjs.js',
} as const;

export const SAMPLE_CODE_DIR = repoPath('samples', 'mnist', 'code');

/** The other samples' code, each under its own folder of the same bucket. */
export const SAMPLE_CODE: { dir: string; prefix: string }[] = [
  { dir: repoPath('samples', 'mlp', 'code'), prefix: 'mlp/code/' },
  { dir: repoPath('samples', 'autoencoder-classifier', 'code'), prefix: 'autoencoder-classifier/code/' },
  { dir: repoPath('samples', 'digit-cnn', 'code'), prefix: 'digit-cnn/code/' },
];

export interface PreparedReport {
  uploaded: string[];
  kept: string[];
}

/**
 * Puts the tutorial's data and code into its bucket: the four MNIST .gz files, the
 * boot file and its model package files, and an empty output folder; and the other
 * samples' code (mlp/code/, autoencoder-classifier/code/, digit-cnn/code/), which use the same data. Objects that
 * exist already are left as they are, so a user's own files are never overwritten.
 */
export async function prepareTutorialBucket(store: ObjectStore, cacheDir: string): Promise<PreparedReport> {
  const report: PreparedReport = { uploaded: [], kept: [] };
  await store.ensureBucket(TUTORIAL.bucket);
  const put = async (key: string, file: string) => {
    const url: ObsUrl = { bucket: TUTORIAL.bucket, key };
    if (await store.head(url)) {
      report.kept.push(key);
      return;
    }
    await store.putFile(url, file);
    report.uploaded.push(key);
  };
  for (const gz of await gzipMnistTo(path.join(cacheDir, 'mnist-gz'))) await put(TUTORIAL.dataset + path.basename(gz), gz);
  for (const f of await walkFiles(SAMPLE_CODE_DIR)) await put(TUTORIAL.code + f.relative, f.absolute);
  for (const sample of SAMPLE_CODE) {
    for (const f of await walkFiles(sample.dir)) await put(sample.prefix + f.relative, f.absolute);
  }
  const output: ObsUrl = { bucket: TUTORIAL.bucket, key: TUTORIAL.output };
  if (!(await store.folderExists(output))) {
    // A zero-byte object named like a folder is how the OBS console makes an empty folder.
    await store.put(output, Buffer.alloc(0));
    report.uploaded.push(TUTORIAL.output);
  }
  return report;
}
