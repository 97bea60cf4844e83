/**
 * `npm run demo`: the ModelArts MNIST tutorial through the public HTTP API — train
 * trainjob-mnist, import it as model mnist, deploy it, and predict real test digits.
 * Uses the platform at PLATFORM_URL (default http://127.0.0.1:8080) or starts one.
 */
import { PlatformClient } from '../../client/api-client';
import { connect, deploy, importModel, Json, printTimings, runJob, step } from '../journey';
import { digitPng, readTestDigits } from './dataset';
import { TUTORIAL } from './prepare';

const DEMO_DIGITS = [0, 1, 2, 3, 4, 7, 8, 11, 18, 61];

async function train(api: PlatformClient, maxSteps: string): Promise<{ jobId: string; version: string }> {
  const { jobId, v } = await runJob(api, {
    name: 'trainjob-mnist',
    description: 'ModelArts tutorial: handwritten digit recognition',
    algorithm: { engine: 'tfjs', code_dir: `obs://${TUTORIAL.bucket}/${TUTORIAL.code}`, boot_file: TUTORIAL.bootFile, parameters: [{ name: 'max_steps', value: maxSteps }] },
    data_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.dataset}`,
    train_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.output}`,
  });
  console.log(`   test accuracy ${(v.last_metrics.accuracy * 100).toFixed(2)}%`);
  return { jobId, version: v.version };
}

async function predict(url: string): Promise<void> {
  let right = 0;
  const digits = readTestDigits(DEMO_DIGITS);
  for (const d of digits) {
    const form = new FormData();
    form.append('images', new Blob([digitPng(d)], { type: 'image/png' }), `mnist_test_${d.index}.png`);
    const res = await fetch(url, { method: 'POST', body: form });
    const body = (await res.json()) as Json;
    const ok = body.predicted_label === String(d.label);
    if (ok) right++;
    const top = body.scores.map(([l, s]: [string, number]) => `${l}:${s.toFixed(4)}`).join(' ');
    console.log(`   test image ${String(d.index).padStart(4)} (label ${d.label}) → predicted ${body.predicted_label} ${ok ? '✓' : '✗'}  top-5 ${top}`);
  }
  console.log(`   ${right} of ${digits.length} right`);
}

async function main(): Promise<void> {
  const maxSteps = process.env.MAX_STEPS ?? '1000';
  const { api, own } = await connect();
  const timings: [string, number][] = [];
  console.log(`ModelArts Local at ${api.base}`);
  const { jobId, version } = await step(`1. Train: trainjob-mnist, ${maxSteps} steps`, () => train(api, maxSteps), timings);
  const model = await step('2. Import the job output as model mnist', () => importModel(api, 'mnist', jobId, version), timings);
  const service = await step('3. Deploy it as a real-time service', () => deploy(api, 'mnist-service', model.id), timings);
  await step('4. Predict test digits', () => predict(service.access_address), timings);
  printTimings(timings);
  console.log(`\nThe service stays up:\n   curl -F images=@digit.png ${service.access_address}\n   curl -F images=@digit.png ${api.base}/v1/infers/${service.id}/`);
  if (own) console.log('\nThis demo started the platform itself; press Ctrl-C to stop it.');
  else process.exit(0);
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
