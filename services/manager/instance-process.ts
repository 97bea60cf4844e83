import { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { distPath } from '../../platform/paths';
import { forkWithHandshake, terminate, waitForExit, ExitInfo } from '../../platform/process/supervise';
import type { ConnectionKind, InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';
import type { MetricsJson } from '../metrics/instance-metrics';

export interface InstanceCallbacks {
  onMessage(message: InstanceMessage): void;
  /** The process ended without being asked to. */
  onCrash(exit: ExitInfo): void;
}

const KILL_GRACE_MS = 3000;
const METRICS_TIMEOUT_MS = 2000;

/**
 * The platform's handle on one instance process: start with a handshake, hand it
 * connections, drain it, or kill it. Its exit is reported as a crash unless we caused it.
 */
export class InstanceProcess {
  private child?: ChildProcess;
  private leaving = false;
  private metricsRequests = 0;
  private readonly pendingMetrics = new Map<number, (metrics: MetricsJson | undefined) => void>();
  ready?: InstanceReady;

  constructor(
    readonly id: string,
    private readonly options: InstanceOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(startTimeoutMs: number, callbacks: InstanceCallbacks): Promise<InstanceReady> {
    const { child, info } = await forkWithHandshake<InstanceReady>(distPath('services/instance/main.js'), {
      label: `instance ${this.id}`,
      startTimeoutMs,
      cwd: this.options.modelDir,
      env: { ...this.env, MA_INSTANCE: JSON.stringify(this.options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child = child;
    this.ready = info;
    child.on('message', (m: InstanceMessage) => {
      if (m?.type === 'metrics') this.pendingMetrics.get(m.id)?.(m.metrics);
      else callbacks.onMessage(m);
    });
    void waitForExit(child).then((exit) => {
      if (!this.leaving) callbacks.onCrash(exit);
    });
    return info;
  }

  /** Passes a connection accepted on a service port; false when the instance cannot take it. */
  handOff(socket: Socket, kind: ConnectionKind = 'connection'): boolean {
    const child = this.child;
    if (!child?.connected || this.leaving) return false;
    // The handle now lives in the child; the parent's socket object only needs releasing.
    child.send({ type: kind }, socket, { keepOpen: false }, () => socket.destroy());
    return true;
  }

  /** The instance's own metrics (prom-client JSON); undefined when it cannot say in time. */
  metrics(timeoutMs = METRICS_TIMEOUT_MS): Promise<MetricsJson | undefined> {
    const child = this.child;
    if (!child?.connected) return Promise.resolve(undefined);
    const id = ++this.metricsRequests;
    return new Promise((resolve) => {
      const done = (metrics: MetricsJson | undefined) => {
        clearTimeout(timer);
        this.pendingMetrics.delete(id);
        resolve(metrics);
      };
      const timer = setTimeout(() => done(undefined), timeoutMs);
      this.pendingMetrics.set(id, done);
      child.send({ type: 'metrics', id } satisfies ParentMessage);
    });
  }

  /** Sends the instance a message of the protocol (an answer to its request); false when it is gone. */
  tell(message: ParentMessage): boolean {
    if (!this.child?.connected) return false;
    this.child.send(message);
    return true;
  }

  /** Stops taking work, finishes what is in flight, exits; killed if it takes longer than `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.leaving = true;
    if (child.connected) child.send({ type: 'drain', graceMs });
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs + KILL_GRACE_MS);
    await waitForExit(child);
    clearTimeout(timer);
  }

  async kill(): Promise<void> {
    this.leaving = true;
    if (this.child) await terminate(this.child, KILL_GRACE_MS);
  }
}
