import { StateMachine, type TransitionTable } from '../kernel/lifecycle/state-machine';
import type { BatchingConfig } from './batching/batching-config';

export const SERVICE_STATUSES = ['deploying', 'running', 'concerning', 'failed', 'stopping', 'stopped'] as const;
export type ServiceStatus = (typeof SERVICE_STATUSES)[number];

type InstanceState = 'starting' | 'ready' | 'draining' | 'restarting' | 'failed' | 'stopped';

export interface InstanceInfo {
  id: string;
  index: number;
  model_id: string;
  state: InstanceState;
  pid?: number;
  /** The cluster node it runs on (EXECUTOR=slurm). */
  node?: string;
  /** The instance's own address (each instance listens on its own port). */
  address?: string;
  started_at: string;
  ready_at?: string;
  load_ms?: number;
  restarts: number;
  last_exit?: string;
}

export interface ServiceEvent {
  time: string;
  type: 'info' | 'warning' | 'error';
  message: string;
}

export interface CorsSettings {
  /** Origins allowed to call the prediction endpoint from a browser; '*' allows any. */
  allow_origins: string[];
}

/** One model's part of a service whose traffic is split by weight (ModelArts' canary). */
export interface TrafficShare {
  model_id: string;
  model_name: string;
  model_version: string;
  /** Relative share of the requests (ModelArts writes percentages: 70 and 30). */
  weight: number;
  instance_count: number;
  specification?: string;
  /** Variables for this model's instances, on top of the service's envs. */
  envs?: Record<string, string>;
}

export interface ServiceRecord {
  id: string;
  name: string;
  description: string;
  /** The model (the first one when traffic is split). */
  model_id: string;
  model_name: string;
  model_version: string;
  /** Every instance of the service (the sum of the shares' when traffic is split). */
  instance_count: number;
  /** Several models sharing the traffic by weight; absent: model_id takes it all. */
  traffic?: TrafficShare[];
  specification: string;
  envs: Record<string, string>;
  cors: CorsSettings;
  /** When set, prediction requests need `X-Apig-AppCode: <app_code>`. */
  app_code?: string;
  /** Dynamic batching of concurrent requests' model calls (absent in records made before it: auto). */
  batching?: BatchingConfig;
  status: ServiceStatus;
  reason?: string;
  /** Where `POST /` is answered for the whole service (stable across redeploys). */
  access_address?: string;
  /** The same service through the control plane's gateway. */
  infer_url: string;
  port?: number;
  /** TF Serving's gRPC PredictionService for this service (host:port, stable across redeploys). */
  grpc_address?: string;
  grpc_port?: number;
  instances: InstanceInfo[];
  events: ServiceEvent[];
  request_count: number;
  failure_count: number;
  schema_mismatch_count: number;
  latency_ms?: { p50: number; p99: number; mean: number };
  created_at: string;
  updated_at: string;
  /** In API answers: true while no deploy or stop is under way (the status changes only by a new request or a crash). */
  terminal?: boolean;
}

export const MAX_EVENTS = 200;

const NEXT: TransitionTable<ServiceStatus> = {
  deploying: ['running', 'failed', 'stopping', 'concerning'],
  running: ['deploying', 'concerning', 'stopping', 'failed'],
  concerning: ['running', 'deploying', 'stopping', 'failed'],
  failed: ['deploying', 'stopping', 'stopped'],
  stopping: ['stopped'],
  stopped: ['deploying'],
};

/** Statuses that a deploy or a stop is still moving away from. */
const TRANSITIONAL: readonly ServiceStatus[] = ['deploying', 'stopping'];

/** The record as the API answers it, saying whether a deploy or stop is under way. */
export function withTerminal(service: ServiceRecord): ServiceRecord {
  return { ...service, terminal: !TRANSITIONAL.includes(service.status) };
}

/** Every status change of a service goes through here; illegal moves (and moves to the status it has) are refused. */
export const serviceStates = new StateMachine<ServiceStatus, ServiceRecord>({
  table: NEXT,
  status: (service) => service.status,
  describe: (service) => `service ${service.name}`,
  enter(service, to, at) {
    service.status = to;
    service.updated_at = at.toISOString();
  },
});

/** A deploy asked for while one is under way (or again after a restart) keeps the service deploying. */
export function enterDeploying(service: ServiceRecord): void {
  if (service.status !== 'deploying') serviceStates.transition(service, 'deploying');
}

export function addEvent(service: ServiceRecord, type: ServiceEvent['type'], message: string): void {
  service.events.push({ time: new Date().toISOString(), type, message });
  if (service.events.length > MAX_EVENTS) service.events.splice(0, service.events.length - MAX_EVENTS);
}

/** The models a service runs, with their weights: its traffic shares, or its one model taking everything. */
export function sharesOf(service: ServiceRecord): TrafficShare[] {
  return (
    service.traffic ?? [
      { model_id: service.model_id, model_name: service.model_name, model_version: service.model_version, weight: 100, instance_count: service.instance_count },
    ]
  );
}
