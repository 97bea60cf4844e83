import { setMaxListeners } from 'node:events';
import type { Socket } from 'node:net';
import type { ExitInfo } from '../../kernel/process/supervise';
import type { ConnectionMessage, InstanceMessage, InstanceReady, ParentMessage } from '../instance/protocol';
import type { MetricsJson } from '../metrics/instance-metrics';
import type { InstanceLink, ListenHandle } from './instance-link';

export type { ListenHandle };
import { reachableHost } from '../access/port-access';

export interface InstanceCallbacks {
  onMessage(message: InstanceMessage): void;
  /** The process ended without being asked to. */
  onCrash(exit: ExitInfo): void;
}

const KILL_GRACE_MS = 3000;
/** How long an instance may take to answer the platform's questions (metrics, a socket copy). */
const ANSWER_TIMEOUT_MS = 2000;

/**
 * The platform's handle on one instance, wherever it runs (its InstanceLink): start with a
 * handshake, hand it connections, drain it, or kill it. Its exit is reported as a crash
 * unless we caused it.
 */
export class InstanceProcess {
  private leaving = false;
  private started = false;
  private requests = 0;
  /** Connections sent to the instance whose sending has not finished. */
  private readonly passing = new Set<Socket>();
  private readonly pendingMetrics = new Map<number, (metrics: MetricsJson | undefined) => void>();
  private readonly pendingSpares = new Map<number, (handle: ListenHandle | undefined) => void>();
  ready?: InstanceReady;
  /** Aborted when the instance ends without being asked to (it crashed, or its node was lost): what waits on it gives up. */
  readonly gone = new AbortController();

  constructor(
    readonly id: string,
    private readonly link: InstanceLink,
  ) {
    // Every request the gateway has in flight to the instance listens to it.
    setMaxListeners(0, this.gone.signal);
  }

  get pid(): number | undefined {
    return this.link.pid;
  }

  /** The cluster node it runs on, if it runs on one. */
  get node(): string | undefined {
    return this.link.node;
  }

  /** Where its own port answers (host:port), once it is ready. */
  get address(): string | undefined {
    return this.ready && `${reachableHost(this.link.host)}:${this.ready.port}`;
  }

  async start(startTimeoutMs: number, callbacks: InstanceCallbacks): Promise<InstanceReady> {
    const info = await this.link.start(startTimeoutMs, (m, handle) => {
      if (m?.type === 'metrics') this.pendingMetrics.get(m.id)?.(m.metrics);
      else if (m?.type === 'spare') this.pendingSpares.get(m.id)?.(handle);
      else callbacks.onMessage(m);
    });
    this.started = true;
    this.ready = info;
    void this.link.exited().then((exit) => {
      // Sockets queued behind a handle the instance never acknowledged would wait forever: their clients are let go.
      for (const socket of this.passing) socket.destroy();
      this.passing.clear();
      if (this.leaving) return;
      this.gone.abort(new Error(`instance ${this.id} ${exit.reason}`));
      callbacks.onCrash(exit);
    });
    return info;
  }

  /** Passes a connection accepted on a service port (or the gateway's); false when the instance cannot take it. */
  handOff(socket: Socket, message: ConnectionMessage): boolean {
    if (!this.link.connected || this.leaving) return false;
    this.passing.add(socket);
    const passed = this.link.pass(socket, message, () => {
      this.passing.delete(socket);
      socket.destroy();
    });
    if (!passed) this.passing.delete(socket);
    return passed;
  }

  /** The instance's own metrics (prom-client JSON); undefined when it cannot say in time. */
  metrics(): Promise<MetricsJson | undefined> {
    return this.ask(this.pendingMetrics, (id) => ({ type: 'metrics', id }));
  }

  /** Gives the instance the service's listening socket to accept from itself; false when it is gone or elsewhere. */
  shareListener(handle: ListenHandle): boolean {
    if (!this.link.sharesSockets || !this.link.connected || this.leaving) return false;
    return this.link.send({ type: 'listen' }, handle);
  }

  /** A copy of the service's listening socket sent back by the instance (the platform cannot duplicate one itself). */
  spareListener(): Promise<ListenHandle | undefined> {
    if (!this.link.sharesSockets) return Promise.resolve(undefined);
    return this.ask(this.pendingSpares, (id) => ({ type: 'spare', id }));
  }

  /** Sends a request and waits for the answer with its id; undefined when the instance does not answer in time. */
  private ask<T>(pending: Map<number, (answer: T | undefined) => void>, request: (id: number) => ParentMessage): Promise<T | undefined> {
    if (!this.link.connected) return Promise.resolve(undefined);
    const id = ++this.requests;
    return new Promise((resolve) => {
      const done = (answer: T | undefined) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(answer);
      };
      const timer = setTimeout(() => done(undefined), ANSWER_TIMEOUT_MS);
      pending.set(id, done);
      this.link.send(request(id));
    });
  }

  /** Sends the instance a message of the protocol (an answer to its request); false when it is gone. */
  tell(message: ParentMessage): boolean {
    return this.link.send(message);
  }

  /** Stops taking work, finishes what is in flight, exits; killed if it takes longer than `graceMs`. */
  async drain(graceMs: number): Promise<void> {
    if (!this.started) return;
    this.leaving = true;
    this.link.send({ type: 'drain', graceMs });
    const timer = setTimeout(() => this.link.signal('SIGKILL'), graceMs + KILL_GRACE_MS);
    await this.link.exited();
    clearTimeout(timer);
  }

  /** SIGTERM, then SIGKILL when it has not exited after a grace period. */
  async kill(): Promise<void> {
    this.leaving = true;
    if (!this.started) return;
    this.link.signal('SIGTERM');
    const timer = setTimeout(() => this.link.signal('SIGKILL'), KILL_GRACE_MS);
    await this.link.exited();
    clearTimeout(timer);
  }
}
