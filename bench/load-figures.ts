/** What a load phase sends and what it measures (load.ts runs it, with wrk.ts or autocannon). */
export interface Upload {
  body: Buffer;
  contentType: string;
  /** Headers sent with every request besides Content-Type (a token, for a platform with credentials). */
  headers?: Record<string, string>;
}

export interface LoadFigures {
  tool: 'wrk' | 'autocannon';
  connections: number;
  seconds: number;
  requests: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  errors: number;
  /** Answers other than 2xx. */
  non_2xx: number;
  /** CPU the serving processes used per request (Linux only). */
  server_cpu_ms_per_request?: number;
  /** CPU the load generator used per request (wrk only). */
  load_cpu_ms_per_request?: number;
  /** The CPUs wrk was pinned to (taskset), when it was. */
  load_cpus?: string;
}
