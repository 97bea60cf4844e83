import fs from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseJson } from '../../client/api-client';
import { repoPath } from '../../kernel/paths';
import { api, waitFor } from './http';
import { tempDir, TestPlatform } from './platform';
import { trainedMnistPackage, uploadFolder } from './mnist-model';

/**
 * Uploads the trained MNIST package (optionally changed) to obs://<bucket>/<name>/ and
 * imports it; returns the model record.
 */
export async function importMnist(
  t: TestPlatform,
  bucket: string,
  name: string,
  version = '1.0.0',
  change?: (modelDir: string) => Promise<void>,
): Promise<any> {
  const dir = await tempDir(`pkg-${name}`);
  await fs.cp(await trainedMnistPackage(), dir, { recursive: true });
  if (change) await change(path.join(dir, 'model'));
  const url = await uploadFolder(t.store, dir, `obs://${bucket}/${name}-${version}/`);
  const res = await api(t.url, 'POST', '/models/import', { name, version, url });
  if (res.status !== 201) throw new Error(`import failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Replaces the package's hook with a fixture from test/fixtures/hooks. */
export function withHook(fixture: string): (modelDir: string) => Promise<void> {
  return (modelDir) => fs.copyFile(repoPath('test', 'fixtures', 'hooks', fixture), path.join(modelDir, 'customize_service.js'));
}

/** The service (real-time or batch) once `accept` holds for its record, read through GET /services/{id}. */
export function waitForServiceWhere(base: string, id: string, what: string, accept: (service: any) => unknown, timeoutMs?: number, everyMs?: number): Promise<any> {
  const read = async () => {
    const s = (await api(base, 'GET', `/services/${id}`)).body;
    return accept(s) ? s : undefined;
  };
  return waitFor(what, read, timeoutMs, everyMs);
}

export function waitForService(base: string, id: string, statuses: string[], timeoutMs = 60_000): Promise<any> {
  return waitForServiceWhere(base, id, `service ${id} to be ${statuses.join('/')}`, (s) => statuses.includes(s.status), timeoutMs);
}

export async function deployService(base: string, body: Record<string, unknown>): Promise<any> {
  const res = await api(base, 'POST', '/services', body);
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return waitForService(base, res.body.id, ['running', 'failed']);
}

/** POSTs one file as multipart field `field` (plus plain fields) and returns status and parsed body. */
export async function predictFile(
  url: string,
  file: Buffer,
  opts: { field?: string; fileName?: string; type?: string; fields?: Record<string, string>; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(opts.fields ?? {})) form.append(k, v);
  form.append(opts.field ?? 'images', new Blob([file], { type: opts.type ?? 'image/png' }), opts.fileName ?? 'digit.png');
  const res = await fetch(url, { method: 'POST', body: form, headers: opts.headers, signal: opts.signal });
  const text = await res.text();
  return { status: res.status, body: parseJson(text), headers: res.headers };
}

/** The service's failure count once its instances' reports (one a second) have all come in. */
export async function settledFailures(base: string, id: string): Promise<number> {
  let last = -1;
  for (;;) {
    const now = (await api(base, 'GET', `/services/${id}`)).body.failure_count as number;
    if (now === last) return now;
    last = now;
    await sleep(1200);
  }
}
