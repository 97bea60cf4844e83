/**
 * What one instance counts for Prometheus (prom-client): requests and their latency by
 * API and status code, the time of each stage of a prediction (preprocess, inference,
 * postprocess, and batch_wait when batching is on) and the rows of each batched model
 * call. Every series carries the service and model; the platform sums the instances
 * of a service into one set of series (AggregatorRegistry.aggregate).
 */
import { Counter, Histogram, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import type { BatchReport } from '../batching/batch-queue';

export type MetricsJson = MetricObjectWithValues<MetricValue<string>>[];

/** Which API answered: POST / (the inference code), TF Serving REST or gRPC, the Open Inference Protocol. */
export type ApiLabel = 'predict' | 'tfserving_rest' | 'tfserving_grpc' | 'v2' | 'other';

export type StageLabel = 'preprocess' | 'inference' | 'postprocess' | 'batch_wait';

/** Seconds: from a tenth of a millisecond (a tiny model on one core) to the longest prediction timeout. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class InstanceMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'api' | 'code'>;
  private readonly duration: Histogram<'api' | 'code'>;
  private readonly stages: Histogram<'stage'>;
  private readonly batches: Histogram<string>;
  /** Label sets resolved once: every request observes three stages and its own series. */
  private readonly requestSeries = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();
  private readonly stageSeries = new Map<string, { observe(v: number): void }>();

  constructor(labels: { service: string; model: string }) {
    this.registry.setDefaultLabels(labels);
    const registers = [this.registry];
    this.requests = new Counter({ name: 'modelarts_service_requests_total', help: 'Requests answered by the service, by API and HTTP status code', labelNames: ['service', 'model', 'api', 'code'], registers });
    this.duration = new Histogram({
      name: 'modelarts_service_request_duration_seconds',
      help: 'Time from a request arriving at an instance to its answer, by API and HTTP status code',
      labelNames: ['service', 'model', 'api', 'code'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.stages = new Histogram({
      name: 'modelarts_service_stage_duration_seconds',
      help: 'Time of each stage of a prediction: preprocess, inference, postprocess, and batch_wait (queued for a batch)',
      labelNames: ['service', 'model', 'stage'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.batches = new Histogram({ name: 'modelarts_service_batch_size', help: 'Rows in each batched model call', labelNames: ['service', 'model'], buckets: BATCH_BUCKETS, registers });
  }

  request(api: ApiLabel, code: number, ms: number): void {
    const key = `${api} ${code}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const labels = { api, code: String(code) };
      series = { count: this.requests.labels(labels), duration: this.duration.labels(labels) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.duration.observe(ms / 1000);
  }

  stage(stage: StageLabel, ms: number): void {
    let series = this.stageSeries.get(stage);
    if (!series) {
      series = this.stages.labels({ stage });
      this.stageSeries.set(stage, series);
    }
    series.observe(ms / 1000);
  }

  batch(report: BatchReport): void {
    this.batches.observe(report.rows);
    for (const wait of report.waitsMs) this.stages.observe({ stage: 'batch_wait' }, wait / 1000);
  }

  json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsJson>;
  }
}
