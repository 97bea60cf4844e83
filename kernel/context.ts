import type { PlatformConfig } from './config';
import type { ObjectStore } from './storage/object-store';
import type { Schemas } from './validation/schemas';
import type { BackendName } from './config';
import type { PlatformMetrics } from './metrics/platform-metrics';

export interface ComputeInfo {
  backend: BackendName;
  /** What computes, e.g. "native (oneDNN 2.6.3, OpenBLAS 0.3.21; up to 2 threads)". */
  description: string;
  /** Why faster backends were not used (e.g. the native addon was not built, and why). */
  notes: string[];
}

/** What handlers and areas share: configuration, storage, schemas. Never Koa. */
export interface PlatformContext {
  config: PlatformConfig;
  version: string;
  store: ObjectStore;
  storageEndpoint: string;
  embeddedStore: boolean;
  compute: ComputeInfo;
  schemas: Schemas;
  /** The control plane's Prometheus registry, where areas add their metrics. */
  metrics: PlatformMetrics;
}
