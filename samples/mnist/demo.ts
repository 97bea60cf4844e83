/**
 * `npm run demo`: the ModelArts MNIST tutorial through the public HTTP API — train
 * trainjob-mnist, import it as model mnist, deploy it, and predict real test digits.
 * Uses the platform at PLATFORM_URL (default http://127.0.0.1:8080) or starts one.
 */
import { loadConfig } from '../../platform/config';
import { startPlatform } from '../../platform/platform';
import { digitPng, readTestDigits } from './dataset';
import { TUTORIAL } from './prepare';

const DEMO_DIGITS = [0, 1, 2, 3, 4, 7, 8, 11, 18, 61];
const POLL_MS = 250;

type Json = Record<string, any>;

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function must(base: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await call(base, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

async function step<T>(title: string, fn: () => Promise<T>, timings: [string, number][]): Promise<T> {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const out = await fn();
  const ms = Date.now() - started;
  timings.push([title, ms]);
  process.stdout.write(`   (${(ms / 1000).toFixed(1)} s)\n`);
  return out;
}

async function reachable(base: string): Promise<boolean> {
  return fetch(`${base}/health`).then(
    (r) => r.ok,
    () => false,
  );
}

/** Streams the job's log until the version ends, then returns the job. */
async function followLog(base: string, jobId: string, version: string): Promise<Json> {
  const res = await fetch(`${base}/training-jobs/${jobId}/logs?follow=1&version=${version}`);
  let atLineStart = true;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const text = Buffer.from(chunk).toString('utf8');
    process.stdout.write(text.replace(/[^\n]*\n|[^\n]+$/g, (line) => {
      const out = (atLineStart ? '   | ' : '') + line;
      atLineStart = line.endsWith('\n');
      return out;
    }));
  }
  for (;;) {
    const job = await must(base, 'GET', `/training-jobs/${jobId}`);
    const v = job.versions.find((x: Json) => x.version === version);
    if (['Completed', 'Failed', 'Terminated', 'Abnormal'].includes(v.status)) return { job, v };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function train(base: string, maxSteps: string): Promise<{ jobId: string; version: string }> {
  const existing = (await must(base, 'GET', '/training-jobs?limit=100')).items.find((j: Json) => j.name === 'trainjob-mnist');
  const parameters = [{ name: 'max_steps', value: maxSteps }];
  const job = existing
    ? await must(base, 'POST', `/training-jobs/${existing.id}/versions`, { parameters })
    : await must(base, 'POST', '/training-jobs', {
        name: 'trainjob-mnist',
        description: 'ModelArts tutorial: handwritten digit recognition',
        algorithm: { engine: 'tfjs', code_dir: `obs://${TUTORIAL.bucket}/${TUTORIAL.code}`, boot_file: TUTORIAL.bootFile, parameters },
        data_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.dataset}`,
        train_url: `obs://${TUTORIAL.bucket}/${TUTORIAL.output}`,
      });
  console.log(`   training job ${job.name} ${job.version} (${job.id}): ${job.status}`);
  const { v } = await followLog(base, job.id, job.version);
  if (v.status !== 'Completed') throw new Error(`the training job ended ${v.status}: ${v.reason}`);
  console.log(`   ${v.status} in ${(v.duration_ms / 1000).toFixed(1)} s; test accuracy ${(v.last_metrics.accuracy * 100).toFixed(2)}%; outputs in ${v.output_urls[0].url}`);
  return { jobId: job.id, version: job.version };
}

async function importModel(base: string, jobId: string, jobVersion: string): Promise<Json> {
  const versions = (await must(base, 'GET', '/models?name=mnist')).items.map((m: Json) => m.version.split('.').map(Number));
  const patch = versions.length ? Math.max(...versions.filter((v: number[]) => v[0] === 1 && v[1] === 0).map((v: number[]) => v[2] + 1), 0) : 0;
  const model = await must(base, 'POST', '/models/import', { name: 'mnist', version: `1.0.${patch}`, training_job_id: jobId, training_job_version: jobVersion });
  console.log(`   model ${model.name} ${model.version} (${model.id}): ${model.status}, ${model.size_bytes} bytes, ${model.content_hash.slice(0, 19)}…`);
  return model;
}

async function deploy(base: string, modelId: string): Promise<Json> {
  const existing = (await must(base, 'GET', '/services')).items.find((s: Json) => s.name === 'mnist-service');
  const started = existing
    ? await must(base, 'POST', `/services/${existing.id}/deploy`, { model_id: modelId })
    : await must(base, 'POST', '/services', { name: 'mnist-service', model_id: modelId, instance_count: 1 });
  for (;;) {
    const s = await must(base, 'GET', `/services/${started.id}`);
    if (s.status === 'running' && s.model_id === modelId) {
      console.log(`   service ${s.name} (${s.id}) running at ${s.access_address}`);
      return s;
    }
    if (s.status === 'failed') throw new Error(`the deployment failed: ${s.reason}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
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
  let base = process.env.PLATFORM_URL ?? 'http://127.0.0.1:8080';
  let ownPlatform = false;
  const timings: [string, number][] = [];
  if (!(await reachable(base))) {
    console.log(`No platform answers at ${base}; starting one here (data in ${process.env.DATA_DIR ?? './data'}).`);
    const platform = await startPlatform(loadConfig());
    base = platform.url;
    ownPlatform = true;
  }
  console.log(`ModelArts Local at ${base}`);
  const { jobId, version } = await step(`1. Train: trainjob-mnist, ${maxSteps} steps`, () => train(base, maxSteps), timings);
  const model = await step('2. Import the job output as model mnist', () => importModel(base, jobId, version), timings);
  const service = await step('3. Deploy it as a real-time service', () => deploy(base, model.id), timings);
  await step('4. Predict test digits', () => predict(service.access_address), timings);
  console.log('\nWall time per step:');
  for (const [title, ms] of timings) console.log(`   ${(ms / 1000).toFixed(1).padStart(6)} s  ${title}`);
  console.log(`\nThe service stays up:\n   curl -F images=@digit.png ${service.access_address}\n   curl -F images=@digit.png ${base}/v1/infers/${service.id}/`);
  if (ownPlatform) console.log('\nThis demo started the platform itself; press Ctrl-C to stop it.');
  else process.exit(0);
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
