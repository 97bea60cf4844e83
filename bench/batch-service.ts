/**
 * A batch service against the same service's real-time best: the DigitClassifier (the
 * digit-cnn sample's network and hook, briefly trained here) scores MNIST's 10,000 test
 * PNGs from a bucket on one instance. Figures: images/s of the batch (from running to
 * finished) against images/s at concurrency 32 on the same model deployed as a real-time
 * service, the time from running to the first line in the result manifest, and the
 * accuracy of the results against the model's own (the same network run in this process).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { compute } from '../compute/tf';
import { saveModelTo } from '../compute/model-io';
import { repoPath } from '../kernel/paths';
import { mapLimit } from '../kernel/util/concurrency';
import { writePackageFiles } from '../jobs/runtime/package-files';
import { DIGIT_PIXELS, digitPng, MNIST_RAW_DIR, readTestDigits } from '../samples/mnist/dataset';
import { api, waitFor } from '../test/helpers/http';
import { uploadFolder } from '../test/helpers/mnist-model';
import { startTestPlatform, tempDir, type TestPlatform } from '../test/helpers/platform';
import { deployService } from '../test/helpers/services';
import { readManifest, waitForBatch } from '../test/helpers/batch';
import { parseObsUrl } from '../kernel/storage/obs-url';
import { loadPhase } from './load';
import { digitUpload } from './predictions';

const TEST_IMAGES = 10_000;
const TRAIN_IMAGES = 3_000;
const BATCH = 64;
const BUCKET = 'bench-batch';

export interface BatchServiceFigures {
  images: number;
  realtime_c32_images_per_s: number;
  realtime_load_average: number;
  batch_images_per_s: number;
  batch_load_average: number;
  ratio: number;
  first_line_ms: number;
  accuracy_batch: number;
  accuracy_model: number;
  error?: string;
}

const loadAverage = () => Math.round(os.loadavg()[0] * 100) / 100;

/** The DigitClassifier trained on the first training images for one pass, saved as the sample's package; and its own test accuracy. */
async function trainedDigitPackage(say: (line: string) => void): Promise<{ dir: string; accuracy: number }> {
  const { tf } = await compute();
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the sample's CommonJS boot-file module, by its path
  const { buildDigitClassifier } = require(repoPath('samples', 'digit-cnn', 'code', 'digit_classifier.js')) as { buildDigitClassifier: (t: unknown) => LayersModel };
  const model = buildDigitClassifier(tf);
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const images = fs.readFileSync(path.join(MNIST_RAW_DIR, 'train-images-idx3-ubyte'));
  const labels = fs.readFileSync(path.join(MNIST_RAW_DIR, 'train-labels-idx1-ubyte'));
  say(`batch service: training the DigitClassifier on ${TRAIN_IMAGES} images (one pass)`);
  for (let start = 0; start < TRAIN_IMAGES; start += BATCH) {
    const n = Math.min(BATCH, TRAIN_IMAGES - start);
    const x = tf.tensor4d(Float32Array.from(images.subarray(16 + start * DIGIT_PIXELS, 16 + (start + n) * DIGIT_PIXELS), (v) => v / 255), [n, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from(labels.subarray(8 + start, 8 + start + n)), 'int32'), 10).toFloat();
    await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
  }
  const test = readTestDigits(Array.from({ length: TEST_IMAGES }, (_, i) => i));
  let right = 0;
  for (let start = 0; start < TEST_IMAGES; start += 250) {
    const part = test.slice(start, start + 250);
    const x = tf.tensor4d(Float32Array.from(part.flatMap((d) => Array.from(d.pixels)), (v) => v / 255), [part.length, 28, 28, 1]);
    const predicted = tf.tidy(() => (model.predict(x) as Tensor).argMax(1));
    const classes = await predicted.data();
    tf.dispose([x, predicted]);
    part.forEach((d, i) => (right += classes[i] === d.label ? 1 : 0));
  }
  const dir = await tempDir('batch-digit-package');
  await saveModelTo(model, path.join(dir, 'model'));
  model.dispose();
  await writePackageFiles(repoPath('samples', 'digit-cnn', 'code', 'model-package'), path.join(dir, 'model'));
  return { dir, accuracy: right / TEST_IMAGES };
}

export async function benchBatchService(seconds: number, say: (line: string) => void): Promise<BatchServiceFigures> {
  const pkg = await trainedDigitPackage(say);
  const t = await startTestPlatform();
  try {
    const url = await uploadFolder(t.store, pkg.dir, `obs://${BUCKET}/package/`);
    const model = await api(t.url, 'POST', '/models/import', { name: 'digit-classifier', version: '1.0.0', url });
    if (model.status !== 201) throw new Error(`import failed: ${JSON.stringify(model.body)}`);
    say(`batch service: uploading ${TEST_IMAGES} test PNGs`);
    const digits = readTestDigits(Array.from({ length: TEST_IMAGES }, (_, i) => i));
    await mapLimit(digits, 16, (d) => t.store.put({ bucket: BUCKET, key: `test/${String(d.index).padStart(5, '0')}_${d.label}.png` }, digitPng(d), 'image/png'));
    say('batch service: the same model as a real-time service, concurrency 32');
    const service = await deployService(t.url, { name: 'digit-realtime', model_id: model.body.id, instance_count: 1 });
    if (service.status !== 'running') throw new Error(`the service did not deploy: ${JSON.stringify(service.events)}`);
    const c32 = await loadPhase(service.access_address, digitUpload(), 32, seconds, service.instances.map((i: { pid: number }) => i.pid));
    const realtimeLoad = loadAverage();
    await api(t.url, 'POST', `/services/${service.id}/stop`);
    say(`batch service: ${TEST_IMAGES} images through a batch service`);
    const batch = await runBatch(t, model.body.id);
    const accuracy = await resultAccuracy(t, batch.record);
    return {
      images: TEST_IMAGES,
      realtime_c32_images_per_s: c32.rps,
      realtime_load_average: realtimeLoad,
      batch_images_per_s: batch.imagesPerSecond,
      batch_load_average: batch.loadAverage,
      ratio: Math.round((batch.imagesPerSecond / c32.rps) * 100) / 100,
      first_line_ms: batch.firstLineMs,
      accuracy_batch: accuracy,
      accuracy_model: pkg.accuracy,
    };
  } finally {
    await t.close();
  }
}

/** Creates the batch, notes when its manifest first holds a line, and waits for its end. */
async function runBatch(t: TestPlatform, modelId: string): Promise<{ record: any; imagesPerSecond: number; firstLineMs: number; loadAverage: number }> {
  const created = await api(t.url, 'POST', '/services', { name: 'digit-batch', infer_type: 'batch', model_id: modelId, src_path: `obs://${BUCKET}/test/`, dest_path: `obs://${BUCKET}/results/`, req_uri: '/', mapping_type: 'file' });
  if (created.status !== 201) throw new Error(`the batch was refused: ${JSON.stringify(created.body)}`);
  const manifest = parseObsUrl(created.body.outputs.manifests[0]);
  const firstLineAt = await waitFor('the first result line', async () => ((await t.store.head(manifest))?.size ? Date.now() : undefined), 300_000, 10);
  const loadAverageNow = loadAverage();
  const record = await waitForBatch(t.url, created.body.id, 600_000);
  if (record.status !== 'finished') throw new Error(`the batch ended ${record.status}: ${record.reason ?? ''}`);
  const ran = (Date.parse(record.finished_at) - Date.parse(record.started_at)) / 1000;
  return { record, imagesPerSecond: Math.round(record.progress.done / ran), firstLineMs: firstLineAt - Date.parse(record.started_at), loadAverage: loadAverageNow };
}

/** The share of result files whose predicted_label is the label in the input's name. */
async function resultAccuracy(t: TestPlatform, record: any): Promise<number> {
  const lines = await readManifest(t.store, record);
  const answers = await mapLimit(lines, 16, async (line) => {
    if (line.result !== 'SUCCESSFUL') return false;
    const text = (await t.store.getBuffer(parseObsUrl(line['inference-loc']), 1 << 20)).toString('utf8');
    return JSON.parse(text).predicted_label === /_(\d)\.png$/.exec(line.source)![1];
  });
  return answers.filter(Boolean).length / TEST_IMAGES;
}

export function batchServiceRows(f: BatchServiceFigures): string[][] {
  const rows = [['DigitClassifier batch service (1 instance)', 'images/s', 'load average', 'against real-time c32', 'target']];
  if (f.error) return [...rows, ['  failed', f.error, '', '', '']];
  rows.push([`  real-time service, concurrency 32`, f.realtime_c32_images_per_s.toFixed(0), f.realtime_load_average.toFixed(2), '1.00x', '']);
  rows.push([`  batch service, ${f.images} PNGs from a bucket`, f.batch_images_per_s.toFixed(0), f.batch_load_average.toFixed(2), `${f.ratio.toFixed(2)}x`, `≥0.90x: ${f.ratio >= 0.9 ? 'met' : 'missed'}`]);
  rows.push(['  time to the first result line after running', `${f.first_line_ms} ms`, '', '', `<1000 ms: ${f.first_line_ms < 1000 ? 'met' : 'missed'}`]);
  rows.push(['  accuracy: batch results, the model itself', `${(f.accuracy_batch * 100).toFixed(2)}%, ${(f.accuracy_model * 100).toFixed(2)}%`, '', '', `≥ the model's: ${f.accuracy_batch >= f.accuracy_model ? 'met' : 'missed'}`]);
  return rows;
}
