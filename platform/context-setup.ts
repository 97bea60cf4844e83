import fsp from 'node:fs/promises';
import { isLoopback, type PlatformConfig } from '../kernel/config';
import type { ComputeInfo, PlatformContext } from '../kernel/context';
import { repoPath } from '../kernel/paths';
import { ObjectStore } from '../kernel/storage/object-store';
import { Schemas } from '../kernel/validation/schemas';
import { PlatformMetrics } from '../kernel/metrics/platform-metrics';
import { compute } from '../compute/tf';
import { EmbeddedStore } from '../storage/embedded-store';

export type Cleanups = (() => Promise<void>)[];

/**
 * What every area is built with: the object store (the embedded one started first when
 * no OBS_ENDPOINT is set), the compute backend, the schemas, the metrics registry. Each part started is
 * pushed on `cleanups`, so a failure later in the start-up still stops it.
 */
export async function createContext(config: PlatformConfig, cleanups: Cleanups): Promise<{ context: PlatformContext; embedded?: EmbeddedStore }> {
  const embedded = config.obs.endpoint ? undefined : await startEmbeddedStore(config);
  if (embedded) cleanups.push(() => embedded.close());
  const storageEndpoint = config.obs.endpoint ?? embedded!.endpoint;
  const metrics = new PlatformMetrics();
  const store = new ObjectStore({ ...config.obs, endpoint: storageEndpoint, onFailure: (what, reason) => metrics.storeFailed(what, reason) });
  cleanups.push(async () => store.destroy());
  const context: PlatformContext = {
    config,
    version: await packageVersion(),
    store,
    storageEndpoint,
    embeddedStore: !!embedded,
    compute: await computeInfo(),
    schemas: new Schemas(),
    metrics,
  };
  return { context, embedded };
}

function startEmbeddedStore(config: PlatformConfig): Promise<EmbeddedStore> {
  return EmbeddedStore.start({
    // Beyond loopback the store listens where the control plane does (a cluster's nodes reach both); it asks every caller for signatures.
    host: isLoopback(config.host) ? '127.0.0.1' : config.host,
    port: config.obs.embeddedPort,
    dataDir: config.dataDir,
    accessKeyId: config.obs.accessKeyId,
    secretAccessKey: config.obs.secretAccessKey,
    region: config.obs.region,
  });
}

async function computeInfo(): Promise<ComputeInfo> {
  const c = await compute();
  return { backend: c.backend, description: c.description, notes: c.notes };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await fsp.readFile(repoPath('package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
