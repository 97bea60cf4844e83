/** The command line's platform commands: buckets, jobs, models, services. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { ObjectStore } from '../../kernel/storage/object-store';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { ClientError, PlatformClient } from '../api-client';
import { listOption, ParsedArgs, requiredOption, stringOption, UsageError } from './args';
import { followJob, Screen } from './progress';

const POLL_MS = 1000;

export interface Io {
  out(line: string): void;
  screen: Screen;
}

async function objectStore(client: PlatformClient): Promise<ObjectStore> {
  const health = await client.request<{ storage: { endpoint: string } }>('GET', '/health');
  if (!client.config) throw new ClientError('the object store\'s keys are not known to this client');
  return new ObjectStore({ ...client.config.obs, endpoint: health.storage.endpoint });
}

/** upload <file or folder> <obs://bucket/folder/>: a folder keeps its layout below the target. */
export async function upload(client: PlatformClient, args: ParsedArgs, io: Io): Promise<void> {
  const [local, target] = args.positionals;
  if (!local || !target) throw new UsageError('upload <file or folder> <obs://bucket/folder/>');
  const url = parseObsUrl(target);
  const store = await objectStore(client);
  try {
    await store.ensureBucket(url.bucket);
    if ((await fs.stat(local)).isDirectory()) {
      const done = await store.uploadDir(local, { ...url, key: url.key && !url.key.endsWith('/') ? `${url.key}/` : url.key });
      io.out(`uploaded ${done.files} files (${done.bytes} bytes) to ${target}`);
    } else {
      const key = url.key === '' || url.key.endsWith('/') ? url.key + path.basename(local) : url.key;
      await store.putFile({ bucket: url.bucket, key }, local);
      io.out(`uploaded ${local} to obs://${url.bucket}/${key}`);
    }
  } finally {
    store.destroy();
  }
}

export async function listObjects(client: PlatformClient, args: ParsedArgs, io: Io): Promise<void> {
  const [target] = args.positionals;
  if (!target) throw new UsageError('ls <obs://bucket/prefix>');
  const store = await objectStore(client);
  try {
    for (const o of await store.listAll(parseObsUrl(target))) io.out(`${String(o.size).padStart(12)}  obs://${parseObsUrl(target).bucket}/${o.key}`);
  } finally {
    store.destroy();
  }
}

/** train: creates a job and follows it to its end (unless --detach); fails when the job fails. */
export async function train(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const parameters = listOption(args, 'param').map((p) => {
    const eq = p.indexOf('=');
    if (eq < 1) throw new UsageError(`--param ${p}: write name=value`);
    return { name: p.slice(0, eq), value: p.slice(eq + 1) };
  });
  const job = await client.request('POST', '/training-jobs', {
    name: requiredOption(args, 'name'),
    algorithm: { engine: stringOption(args, 'engine') ?? 'tfjs', code_dir: requiredOption(args, 'code'), boot_file: requiredOption(args, 'boot-file'), parameters },
    data_url: requiredOption(args, 'data'),
    train_url: requiredOption(args, 'output'),
    ...(args.options.overwrite === true ? { overwrite_outputs: true } : {}),
    ...(stringOption(args, 'nodes') && { resource: { node_count: Number(stringOption(args, 'nodes')) } }),
  });
  io.out(`training job ${job.name} ${job.version} (${job.id}) created`);
  if (args.options.detach === true) return 0;
  return exitCodeOf(await followJob(client, job.id, io.screen, { intervalMs: POLL_MS }));
}

export async function follow(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const id = await jobId(client, args.positionals[0]);
  return exitCodeOf(await followJob(client, id, io.screen, { intervalMs: POLL_MS }));
}

export async function logs(client: PlatformClient, args: ParsedArgs, io: Io): Promise<void> {
  const id = await jobId(client, args.positionals[0]);
  const query = new URLSearchParams();
  const task = stringOption(args, 'task');
  if (task) query.set('task', task);
  if (args.options.follow === true) query.set('follow', '1');
  const res = await client.fetch(`${client.base}/training-jobs/${id}/logs${query.size ? `?${query}` : ''}`, { headers: client.headers() });
  if (res.status === 404) throw new ClientError(((await res.json()) as { error_msg?: string }).error_msg ?? 'no such log');
  if (!res.ok || !res.body) throw new ClientError(`the log cannot be read: ${res.status}`);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) io.screen.write(Buffer.from(chunk).toString('utf8'));
}

function exitCodeOf(job: any): number {
  return job.versions[job.versions.length - 1].status === 'Completed' ? 0 : 1;
}

export async function jobId(client: PlatformClient, idOrName: string | undefined): Promise<string> {
  if (!idOrName) throw new UsageError('name the job by id or name');
  const { items } = await client.request<{ items: { id: string; name: string }[] }>('GET', '/training-jobs?limit=100');
  const job = items.find((j) => j.id === idOrName) ?? items.find((j) => j.name === idOrName);
  if (!job) throw new ClientError(`no training job has the id or name ${JSON.stringify(idOrName)}`);
  return job.id;
}

/** deploy: creates the service, or rolls an existing one of that name to the model; waits until it runs. */
export async function deploy(client: PlatformClient, args: ParsedArgs, io: Io): Promise<number> {
  const name = requiredOption(args, 'name');
  const model = await modelId(client, requiredOption(args, 'model'));
  const instances = stringOption(args, 'instances');
  const body = { model_id: model, ...(instances ? { instance_count: Number(instances) } : {}) };
  const { items } = await client.request<{ items: { id: string; name: string }[] }>('GET', '/services');
  const existing = items.find((s) => s.name === name);
  let service = existing
    ? await client.request('POST', `/services/${existing.id}/deploy`, body)
    : await client.request('POST', '/services', { name, ...body });
  // A redeploy answers before it starts: the old model still running is not the end of it.
  service = await client.waitForService(service.id, (s) => !existing || s.status !== 'running' || s.model_id === model, POLL_MS / 4);
  if (service.status !== 'running') {
    io.out(`service ${service.name} (${service.id}): ${service.status}${service.reason ? ` (${service.reason})` : ''}`);
    return 1;
  }
  io.out(`service ${service.name} (${service.id}) running model ${service.model_name} ${service.model_version}`);
  io.out(`  POST ${service.access_address}  or  ${client.base}${service.infer_url}`);
  io.out(`  TF Serving REST ${client.base}/v1/models/${service.name}  (also ${service.access_address}v1/models/${service.name})`);
  io.out(`  TF Serving gRPC ${service.grpc_address}  (model_spec.name "${service.name}")`);
  return 0;
}

/** A model by id, or by name (newest version) or name@version. */
export async function modelId(client: PlatformClient, ref: string): Promise<string> {
  const [name, version] = ref.split('@');
  const { items } = await client.request<{ items: { id: string; name: string; version: string; created_at: string }[] }>('GET', '/models');
  const byId = items.find((m) => m.id === ref);
  if (byId) return byId.id;
  const named = items.filter((m) => m.name === name && (!version || m.version === version)).sort((a, b) => (a.created_at < b.created_at ? 1 : -1));
  if (!named.length) throw new ClientError(`no model has the id or name ${JSON.stringify(ref)}`);
  return named[0].id;
}

const LISTS: Record<string, { path: string; columns: [string, (x: any) => string][] }> = {
  jobs: { path: '/training-jobs?limit=100', columns: [['NAME', (j) => j.name], ['VERSION', (j) => j.version], ['STATUS', (j) => j.status], ['ID', (j) => j.id]] },
  models: { path: '/models', columns: [['NAME', (m) => m.name], ['VERSION', (m) => m.version], ['STATUS', (m) => m.status], ['ID', (m) => m.id]] },
  services: {
    path: '/services',
    columns: [['NAME', (s) => s.name], ['TYPE', (s) => s.infer_type ?? 'real-time'], ['STATUS', (s) => s.status], ['MODEL', (s) => `${s.model_name} ${s.model_version}`], ['ADDRESS', (s) => s.access_address ?? (s.progress ? `${s.progress.done} of ${s.progress.total} inputs` : '')], ['GRPC', (s) => s.grpc_address ?? ''], ['ID', (s) => s.id]],
  },
};

export async function list(client: PlatformClient, args: ParsedArgs, io: Io): Promise<void> {
  const what = args.positionals[0] ?? 'services';
  const spec = LISTS[what];
  if (!spec) throw new UsageError(`list ${Object.keys(LISTS).join('|')}`);
  const { items } = await client.request<{ items: unknown[] }>('GET', spec.path);
  const rows = [spec.columns.map(([h]) => h), ...items.map((x) => spec.columns.map(([, f]) => f(x)))];
  const widths = spec.columns.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) io.out(r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd());
}
