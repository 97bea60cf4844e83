/**
 * What the sample scripts (`npm run demo`, `npm run sample:*`) share: a small client of
 * the public HTTP API, steps with wall times, and a platform to talk to — the one at
 * PLATFORM_URL, or one started in this process when none answers there.
 */
import { loadConfig } from '../kernel/config';
import { startPlatform } from '../platform/platform';
import { prepareSamples } from './prepare';

export type Json = Record<string, any>;

const POLL_MS = 250;

export async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Json) : {} };
}

export async function must(base: string, method: string, path: string, body?: unknown): Promise<Json> {
  const res = await call(base, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

export const pause = (ms = POLL_MS) => new Promise((r) => setTimeout(r, ms));

/** Runs one titled step and records its wall time. */
export async function step<T>(title: string, fn: () => Promise<T>, timings: [string, number][]): Promise<T> {
  process.stdout.write(`\n== ${title}\n`);
  const started = Date.now();
  const out = await fn();
  const ms = Date.now() - started;
  timings.push([title, ms]);
  process.stdout.write(`   (${(ms / 1000).toFixed(1)} s)\n`);
  return out;
}

export function printTimings(timings: [string, number][]): void {
  console.log('\nWall time per step:');
  for (const [title, ms] of timings) console.log(`   ${(ms / 1000).toFixed(1).padStart(6)} s  ${title}`);
}

/** The platform at PLATFORM_URL, or one started here (`env` adds settings for that one). */
export async function platformUrl(env: Record<string, string> = {}): Promise<{ base: string; own: boolean }> {
  const base = process.env.PLATFORM_URL ?? 'http://127.0.0.1:8080';
  const up = await fetch(`${base}/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (up) return { base, own: false };
  console.log(`No platform answers at ${base}; starting one here (data in ${process.env.DATA_DIR ?? './data'}).`);
  const platform = await startPlatform(loadConfig({ ...env, ...process.env }));
  await prepareSamples(platform.context);
  return { base: platform.url, own: true };
}

/** Streams the version's log (indented) until it ends, then returns its record. */
export async function followLog(base: string, jobId: string, version: string): Promise<Json> {
  const res = await fetch(`${base}/training-jobs/${jobId}/logs?follow=1&version=${version}`);
  let atLineStart = true;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    const text = Buffer.from(chunk).toString('utf8');
    process.stdout.write(
      text.replace(/[^\n]*\n|[^\n]+$/g, (line) => {
        const out = (atLineStart ? '   | ' : '') + line;
        atLineStart = line.endsWith('\n');
        return out;
      }),
    );
  }
  for (;;) {
    const job = await must(base, 'GET', `/training-jobs/${jobId}`);
    const v = job.versions.find((x: Json) => x.version === version);
    if (v.terminal) return v;
    await pause();
  }
}

/** Creates the job named `spec.name`, or runs it again as its next version with `parameters`. */
export async function runJob(base: string, spec: Json): Promise<{ jobId: string; v: Json }> {
  const existing = (await must(base, 'GET', '/training-jobs?limit=100')).items.find((j: Json) => j.name === spec.name);
  const job = existing
    ? await must(base, 'POST', `/training-jobs/${existing.id}/versions`, { parameters: spec.algorithm.parameters })
    : await must(base, 'POST', '/training-jobs', spec);
  console.log(`   training job ${job.name} ${job.version} (${job.id}): ${job.status}`);
  const v = await followLog(base, job.id, job.version);
  if (v.status !== 'Completed') throw new Error(`the training job ended ${v.status}: ${v.reason}`);
  console.log(`   ${v.status} in ${(v.duration_ms / 1000).toFixed(1)} s; outputs in ${v.output_urls[0].url}`);
  return { jobId: job.id, v };
}

/** Imports a job version as the next 1.0.x version of model `name`. */
export async function importModel(base: string, name: string, jobId: string, jobVersion: string): Promise<Json> {
  const versions = (await must(base, 'GET', `/models?name=${encodeURIComponent(name)}`)).items.map((m: Json) => m.version.split('.').map(Number));
  const patch = Math.max(-1, ...versions.filter((v: number[]) => v[0] === 1 && v[1] === 0).map((v: number[]) => v[2])) + 1;
  const model = await must(base, 'POST', '/models/import', { name, version: `1.0.${patch}`, training_job_id: jobId, training_job_version: jobVersion });
  console.log(`   model ${model.name} ${model.version} (${model.id}): ${model.status}, ${model.size_bytes} bytes, ${model.content_hash.slice(0, 19)}…`);
  return model;
}

/** Deploys `modelId` as service `name` (creating it, or rolling it to the model). */
export async function deploy(base: string, name: string, modelId: string): Promise<Json> {
  const existing = (await must(base, 'GET', '/services')).items.find((s: Json) => s.name === name);
  const started = existing
    ? await must(base, 'POST', `/services/${existing.id}/deploy`, { model_id: modelId })
    : await must(base, 'POST', '/services', { name, model_id: modelId, instance_count: 1 });
  for (;;) {
    const s = await must(base, 'GET', `/services/${started.id}`);
    if (s.status === 'running' && s.model_id === modelId) {
      console.log(`   service ${s.name} (${s.id}) running at ${s.access_address}`);
      return s;
    }
    if (s.status === 'failed') throw new Error(`the deployment failed: ${s.reason}`);
    await pause();
  }
}
