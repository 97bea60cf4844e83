/**
 * What one instance counts for Prometheus (prom-client): requests and their latency by
 * API and status code, the time of each stage of a prediction (preprocess, inference,
 * postprocess, and batch_wait when batching is on) and the rows of each batched model
 * call. Every series carries the service and model; the platform sums the instances
 * of a service into one set of series (AggregatorRegistry.aggregate).
 */
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { SeriesHistogram, type Series } from './series-histogram';
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
  private readonly duration: SeriesHistogram;
  private readonly stages: SeriesHistogram;
  private readonly batches: SeriesHistogram;
  /** Series resolved once per label set: every request observes its own and three stages. */
  private readonly requestSeries = new Map<string, Series>();
  private readonly stageSeries = new Map<string, Series>();
  private readonly batchSeries: Series;

  constructor(labels: { service: string; model: string }) {
    this.registry.setDefaultLabels(labels);
    const r = this.registry;
    this.duration = new SeriesHistogram('modelarts_service_request_duration_seconds', 'Time from a request arriving at an instance to its answer, by API and HTTP status code', LATENCY_BUCKETS, r, {
      name: 'modelarts_service_requests_total',
      help: 'Requests answered by the service, by API and HTTP status code',
    });
    this.stages = new SeriesHistogram('modelarts_service_stage_duration_seconds', 'Time of each stage of a prediction: preprocess, inference, postprocess, and batch_wait (queued for a batch)', LATENCY_BUCKETS, r);
    this.batches = new SeriesHistogram('modelarts_service_batch_size', 'Rows in each batched model call', BATCH_BUCKETS, r);
    this.batchSeries = this.batches.of({});
  }

  request(api: ApiLabel, code: number, ms: number): void {
    const key = `${api} ${code}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = this.duration.of({ api, code: String(code) });
      this.requestSeries.set(key, series);
    }
    series.observe(ms / 1000);
  }

  stage(stage: StageLabel, ms: number): void {
    let series = this.stageSeries.get(stage);
    if (!series) {
      series = this.stages.of({ stage });
      this.stageSeries.set(stage, series);
    }
    series.observe(ms / 1000);
  }

  batch(report: BatchReport): void {
    this.batchSeries.observe(report.rows);
    for (const wait of report.waitsMs) this.stage('batch_wait', wait);
  }

  json(): Promise<MetricsJson> {
    return this.registry.getMetricsAsJSON() as Promise<MetricsJson>;
  }
}
