/**
 * The services' side of the metrics: each live instance is asked for its series (over
 * IPC) when someone scrapes, and the instances of a service are summed into one set
 * (prom-client's AggregatorRegistry), so a scrape of the service address or of the
 * control plane sees the service, whichever instance answers. Restarts and statuses
 * are the platform's own.
 */
import { AggregatorRegistry, Counter, Gauge, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { MetricsJson } from '../metrics/instance-metrics';
import { SERVICE_STATUSES, type ServiceRecord } from '../service-record';
import type { InstanceProcess } from './instance-process';

export class ServiceMetrics {
  private readonly restarts: Counter<'service'>;

  constructor(
    private readonly registry: Registry,
    private readonly records: () => ServiceRecord[],
  ) {
    // Counted from construction on; it is shown once register() put it in the registry.
    this.restarts = new Counter({ name: 'modelarts_service_instance_restarts_total', help: 'Instances restarted after they ended unasked, by service', labelNames: ['service'], registers: [] });
  }

  /** Puts the services' series in the control plane's registry (once, at start). */
  register(): void {
    const records = this.records;
    this.registry.registerMetric(this.restarts);
    new Gauge({
      name: 'modelarts_services',
      help: 'Real-time services by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        for (const status of SERVICE_STATUSES) this.set({ status }, 0);
        for (const s of records()) this.inc({ status: s.status });
      },
    });
  }

  restarted(service: string): void {
    this.restarts.inc({ service });
  }

  /** The summed series of `instances` (every service's, or one's). */
  async instances(instances: readonly InstanceProcess[]): Promise<Registry> {
    const all = await Promise.all(instances.map((i) => i.metrics()));
    return AggregatorRegistry.aggregate(all.filter((m): m is MetricsJson => m !== undefined));
  }

  /** One service's metrics as Prometheus text: its instances summed, and its restarts. */
  async serviceText(name: string, instances: readonly InstanceProcess[]): Promise<{ contentType: string; text: string }> {
    const own = (await this.restarts.get()) as MetricObjectWithValues<MetricValue<string>>;
    const restarts = { ...own, values: own.values.filter((v) => v.labels.service === name) };
    const merged = Registry.merge([await this.instances(instances), AggregatorRegistry.aggregate([[{ ...restarts, aggregator: 'sum' }]])]);
    return { contentType: merged.contentType, text: await merged.metrics() };
  }
}
