import type { PlatformConfig } from './config';
import type { ObjectStore } from './storage/object-store';
import type { Schemas } from './validation/schemas';
import type { BackendName } from './compute/tf';
import type { PlatformMetrics } from './metrics/platform-metrics';

export interface ComputeInfo {
  backend: BackendName;
  /** True when @tensorflow/tfjs-node is installed (it may still have failed to load). */
  native_available: boolean;
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
