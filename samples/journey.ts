/**
 * What the sample scripts (`npm run demo`, `npm run sample:*`) share: the steps of a
 * journey through the public HTTP API (train, import, deploy) on the one API client,
 * steps with wall times, and a platform to talk to — the one at PLATFORM_URL, or one
 * started in this process when none answers there.
 */
import { loadConfig } from '../kernel/config';
import { startPlatform } from '../platform/platform';
import { PlatformClient, type Json } from '../client/api-client';
import { prepareSamples } from './prepare';

export type { Json };

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

/** A client of the platform at PLATFORM_URL, or of one started here (`env` adds settings for that one). */
export async function connect(env: Record<string, string> = {}): Promise<{ api: PlatformClient; own: boolean }> {
  const base = process.env.PLATFORM_URL ?? 'http://127.0.0.1:8080';
  const up = await fetch(`${base}/health`).then(
    (r) => r.ok,
    () => false,
  );
  // A platform that asks for credentials (AUTH_TOKEN, as beyond loopback) gets the token from the environment.
  const token = process.env.AUTH_TOKEN;
  if (up) return { api: new PlatformClient(base, { token }), own: false };
  console.log(`No platform answers at ${base}; starting one here (data in ${process.env.DATA_DIR ?? './data'}).`);
  const platform = await startPlatform(loadConfig({ ...env, ...process.env }));
  await prepareSamples(platform.context);
  return { api: new PlatformClient(platform.url, { token }), own: true };
}

/** Streams the version's log (indented) until it ends, then returns its record. */
export async function followLog(api: PlatformClient, jobId: string, version: string): Promise<Json> {
  const res = await api.fetch(`${api.base}/training-jobs/${jobId}/logs?follow=1&version=${version}`);
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
  const job = await api.waitForJob(jobId, version);
  return job.versions.find((x: Json) => x.version === version);
}

/** Creates the job named `spec.name`, or runs it again as its next version with `parameters`. */
export async function runJob(api: PlatformClient, spec: Json): Promise<{ jobId: string; v: Json }> {
  const existing = (await api.request('GET', '/training-jobs?limit=100')).items.find((j: Json) => j.name === spec.name);
  const job = existing
    ? await api.request('POST', `/training-jobs/${existing.id}/versions`, { parameters: spec.algorithm.parameters })
    : await api.request('POST', '/training-jobs', spec);
  console.log(`   training job ${job.name} ${job.version} (${job.id}): ${job.status}`);
  const v = await followLog(api, job.id, job.version);
  if (v.status !== 'Completed') throw new Error(`the training job ended ${v.status}: ${v.reason}`);
  console.log(`   ${v.status} in ${(v.duration_ms / 1000).toFixed(1)} s; outputs in ${v.output_urls[0].url}`);
  return { jobId: job.id, v };
}

/** Imports a job version as the next 1.0.x version of model `name`. */
export async function importModel(api: PlatformClient, name: string, jobId: string, jobVersion: string): Promise<Json> {
  const versions = (await api.request('GET', `/models?name=${encodeURIComponent(name)}`)).items.map((m: Json) => m.version.split('.').map(Number));
  const patch = Math.max(-1, ...versions.filter((v: number[]) => v[0] === 1 && v[1] === 0).map((v: number[]) => v[2])) + 1;
  const model = await api.request('POST', '/models/import', { name, version: `1.0.${patch}`, training_job_id: jobId, training_job_version: jobVersion });
  console.log(`   model ${model.name} ${model.version} (${model.id}): ${model.status}, ${model.size_bytes} bytes, ${model.content_hash.slice(0, 19)}…`);
  return model;
}

/** Deploys `modelId` as service `name` (creating it, or rolling it to the model). */
export async function deploy(api: PlatformClient, name: string, modelId: string): Promise<Json> {
  const existing = (await api.request('GET', '/services')).items.find((s: Json) => s.name === name);
  const started = existing
    ? await api.request('POST', `/services/${existing.id}/deploy`, { model_id: modelId })
    : await api.request('POST', '/services', { name, model_id: modelId, instance_count: 1 });
  const s = await api.waitForService(started.id, (x) => x.status === 'failed' || (x.status === 'running' && x.model_id === modelId));
  if (s.status !== 'running') throw new Error(`the deployment failed: ${s.reason}`);
  console.log(`   service ${s.name} (${s.id}) running at ${s.access_address}`);
  return s;
}
