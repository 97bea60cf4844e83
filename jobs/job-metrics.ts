/**
 * Training jobs for Prometheus: how many jobs are in each phase now (read from the
 * records when scraped), and how long each finished run took, by engine and final phase.
 */
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { JobRecord } from './job-record';
import { ACTIVE, isTerminal, TERMINAL, type JobStateMachine } from './state-machine';

/** Seconds: from a quick test job to a day of training. */
const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21_600, 86_400];

/** Registers the series in `registry` and observes every run the machine ends. */
export function registerJobMetrics(registry: Registry, jobs: () => JobRecord[], machine: JobStateMachine): void {
  new Gauge({
    name: 'modelarts_training_jobs',
    help: 'Training jobs by the phase of their latest version',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>([...ACTIVE, ...TERMINAL].map((phase) => [phase, 0]));
      for (const job of jobs()) counts.set(job.status, (counts.get(job.status) ?? 0) + 1);
      for (const [phase, n] of counts) this.set({ phase }, n);
    },
  });
  const durations = new Histogram({
    name: 'modelarts_training_job_duration_seconds',
    help: 'How long finished training runs took (from Running, else from queueing), by engine and final phase',
    labelNames: ['engine', 'phase'],
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  machine.onTransition(({ subject: { job, version }, to }) => {
    if (isTerminal(to) && version.duration_ms !== undefined) {
      durations.observe({ engine: job.algorithm.engine, phase: to }, version.duration_ms / 1000);
    }
  });
}
