/**
 * The control plane's Prometheus registry (prom-client). Areas register their own
 * metrics in it (jobs by phase, instance restarts …); the process' default metrics
 * (CPU, memory, event loop lag) live in one registry per process, since a process may
 * run several platforms (tests do), and are added when the text is rendered.
 */
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';

let processRegistry: Registry | undefined;

function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export class PlatformMetrics {
  readonly registry = new Registry();
  readonly objectStoreErrors = new Counter({
    name: 'modelarts_object_store_errors_total',
    help: 'Failed calls to the object store (each attempt), by operation and reason',
    labelNames: ['operation', 'reason'],
    registers: [this.registry],
  });

  /** Counts a failed object-store call; `what` is how the store names it ("download obs://…"). */
  storeFailed(what: string, reason: string): void {
    this.objectStoreErrors.inc({ operation: what.split(' ')[0] || 'unknown', reason });
  }

  /** This registry, the process' default metrics and `others` (the services' instances), as one text. */
  async text(others: Registry[] = []): Promise<{ contentType: string; text: string }> {
    const merged = Registry.merge([this.registry, processMetrics(), ...others]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }
}
