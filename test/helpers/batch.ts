import type { ObjectStore } from '../../kernel/storage/object-store';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { api } from './http';
import { waitForServiceWhere } from './services';

/** Creates a batch service through POST /services; fails the test unless it is accepted. */
export async function createBatch(base: string, body: Record<string, unknown>): Promise<any> {
  const res = await api(base, 'POST', '/services', { infer_type: 'batch', ...body });
  if (res.status !== 201) throw new Error(`create failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The batch service once it has ended (finished, failed or stopped). */
export function waitForBatch(base: string, id: string, timeoutMs = 120_000): Promise<any> {
  return waitForServiceWhere(base, id, `batch service ${id} to end`, (s) => s.terminal, timeoutMs, 200);
}

/** The objects a batch wrote, read back. */
export class BatchOutputs {
  constructor(
    private readonly store: ObjectStore,
    readonly record: any,
  ) {}

  async text(url: string): Promise<string> {
    return (await this.store.getBuffer(parseObsUrl(url), 64 * 1024 * 1024)).toString('utf8');
  }

  async lines(url: string): Promise<any[]> {
    return (await this.text(url)).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  }
}

/** Every line of every part of the batch's result manifest, in order. */
export async function readManifest(store: ObjectStore, record: any): Promise<any[]> {
  const out = new BatchOutputs(store, record);
  const parts = await Promise.all((record.outputs.manifests as string[]).map((m) => out.lines(m)));
  return parts.flat();
}
