/**
 * `npm run sample:mlp` and `npm run sample:autoencoder`: a sample's whole journey through
 * the public HTTP API — its training job(s), model import, a real-time service, real test
 * digits sent as multipart and as base64 JSON — with the wall time of each step. Uses the
 * platform at PLATFORM_URL (default http://127.0.0.1:8080) or starts one. EPOCHS sets the
 * epochs of each job (default: the sample's own, 20).
 */
import { repoPath } from '../kernel/paths';
import { PlatformClient } from '../client/api-client';
import { connect, deploy, importModel, Json, printTimings, runJob, step } from './journey';
import { digitPng, readTestDigits } from './mnist/dataset';
import { TUTORIAL } from './mnist/prepare';
import { serveFolder } from './serve-folder';

const DIGITS = [0, 1, 2, 3, 4, 7, 8, 11, 18, 61];
const DATA = `obs://${TUTORIAL.bucket}/${TUTORIAL.dataset}`;
const code = (sample: string) => `obs://${TUTORIAL.bucket}/${sample}/code/`;
const epochs = () => [{ name: 'epochs', value: process.env.EPOCHS ?? '20' }];

/** Each digit as multipart and as base64 JSON; both answers must agree. */
async function predictDigits(url: string): Promise<void> {
  let right = 0;
  for (const d of readTestDigits(DIGITS)) {
    const png = digitPng(d);
    const form = new FormData();
    form.append('images', new Blob([png], { type: 'image/png' }), `mnist_test_${d.index}.png`);
    const multipart = (await (await fetch(url, { method: 'POST', body: form })).json()) as Json;
    const json = await new PlatformClient(url).request('POST', '', { image: png.toString('base64') });
    if (JSON.stringify(json) !== JSON.stringify(multipart)) throw new Error(`digit ${d.index}: multipart and JSON answers differ`);
    const ok = multipart.predicted_label === String(d.label);
    if (ok) right++;
    const confidence = multipart.confidences[multipart.predicted_label];
    const mse = multipart.reconstruction_mse === undefined ? '' : `, reconstruction MSE ${multipart.reconstruction_mse.toFixed(4)}`;
    console.log(`   test image ${String(d.index).padStart(4)} (label ${d.label}) → ${multipart.predicted_label} ${ok ? '✓' : '✗'} confidence ${confidence.toFixed(4)}${mse}`);
  }
  console.log(`   ${right} of ${DIGITS.length} right (each sent as multipart and as base64 JSON, with the same answer)`);
}

async function mlp(api: PlatformClient, timings: [string, number][]): Promise<void> {
  const { jobId, v } = await step(
    '1. Train trainjob-mlp (784-30-10 sigmoid, mini-batch gradient descent)',
    () =>
      runJob(api, {
        name: 'trainjob-mlp',
        algorithm: { engine: 'tfjs', code_dir: code('mlp'), boot_file: 'train_mlp.js', parameters: epochs() },
        data_url: DATA,
        train_url: `obs://${TUTORIAL.bucket}/mlp/output/`,
      }),
    timings,
  );
  const model = await step('2. Import it as model mlp', () => importModel(api, 'mlp', jobId, v.version), timings);
  const service = await step('3. Deploy mlp-service', () => deploy(api, 'mlp-service', model.id), timings);
  await step('4. Predict test digits', () => predictDigits(service.access_address), timings);
  const site = await serveFolder(repoPath('samples', 'mlp', 'page'), Number(process.env.PAGE_PORT ?? 0));
  const query = new URLSearchParams({ service: service.access_address, api: api.base, job: jobId, service_id: service.id, model: 'mlp' });
  console.log(`\nThe page (draw a digit, predict, retrain): ${site.origin}/?${query}`);
  console.log('Retrain needs the platform started with CORS_ALLOW_ORIGINS=localhost (as this script does when it starts one).');
}

/** The classifier job reads one autoencoder version; a newer one means the job is made anew. */
async function classifierJob(api: PlatformClient, autoencoderOutput: string): Promise<Json> {
  const existing = (await api.request('GET', '/training-jobs?limit=100')).items.find((j: Json) => j.name === 'trainjob-classifier');
  const input = existing?.inputs.find((i: Json) => i.name === 'autoencoder_url');
  if (existing && input.url !== autoencoderOutput) await api.request('DELETE', `/training-jobs/${existing.id}`);
  return runJob(api, {
    name: 'trainjob-classifier',
    algorithm: { engine: 'tfjs', code_dir: code('autoencoder-classifier'), boot_file: 'train_classifier.js', parameters: epochs() },
    inputs: [
      { name: 'data_url', url: DATA },
      { name: 'autoencoder_url', url: autoencoderOutput },
    ],
    train_url: `obs://${TUTORIAL.bucket}/autoencoder-classifier/classifier/`,
  });
}

async function autoencoderClassifier(api: PlatformClient, timings: [string, number][]): Promise<void> {
  const ae = await step(
    '1. Train trainjob-autoencoder (784-152-76-38-4-38-76-152-784 tanh, Adadelta; resumes from its last checkpoint)',
    () =>
      runJob(api, {
        name: 'trainjob-autoencoder',
        algorithm: { engine: 'tfjs', code_dir: code('autoencoder-classifier'), boot_file: 'train_autoencoder.js', parameters: epochs() },
        data_url: DATA,
        outputs: [{ name: 'train_url', url: `obs://${TUTORIAL.bucket}/autoencoder-classifier/autoencoder/`, prefetch_to_local: true }],
      }),
    timings,
  );
  console.log(`   reconstruction MSE ${ae.v.last_metrics?.mse?.toFixed(4)}; originals vs reconstructions in ${ae.v.output_urls[0].url}reconstructions.png`);
  const cl = await step('2. Train trainjob-classifier on the autoencoder\'s output (784-140-80-40-10 tanh)', () => classifierJob(api, ae.v.output_urls[0].url), timings);
  const model = await step('3. Import both models as model autoencoder-classifier', () => importModel(api, 'autoencoder-classifier', cl.jobId, cl.v.version), timings);
  const service = await step('4. Deploy autoencoder-classifier-service', () => deploy(api, 'autoencoder-classifier-service', model.id), timings);
  await step('5. Predict test digits', () => predictDigits(service.access_address), timings);
}

const SAMPLES: Record<string, (api: PlatformClient, timings: [string, number][]) => Promise<void>> = {
  mlp,
  'autoencoder-classifier': autoencoderClassifier,
};

async function main(): Promise<void> {
  const name = process.argv[2] ?? '';
  const run = SAMPLES[name];
  if (!run) throw new Error(`name a sample: ${Object.keys(SAMPLES).join(', ')}`);
  const { api, own } = await connect({ CORS_ALLOW_ORIGINS: 'localhost' });
  console.log(`ModelArts Local at ${api.base}`);
  const timings: [string, number][] = [];
  await run(api, timings);
  printTimings(timings);
  if (own || name === 'mlp') console.log('\nPress Ctrl-C to stop.');
  else process.exit(0);
}

main().catch((err) => {
  console.error(`sample failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
