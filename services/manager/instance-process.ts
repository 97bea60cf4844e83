import { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { distPath } from '../../kernel/paths';
import { forkWithHandshake, terminate, waitForExit, ExitInfo } from '../../kernel/process/supervise';
import type { ConnectionMessage, InstanceMessage, InstanceOptions, InstanceReady, ParentMessage } from '../instance/protocol';
import type { MetricsJson } from '../metrics/instance-metrics';
import { reachableHost } from '../access/port-access';

export interface InstanceCallbacks {
  onMessage(message: InstanceMessage): void;
  /** The process ended without being asked to. */
  onCrash(exit: ExitInfo): void;
}

const KILL_GRACE_MS = 3000;
/** How long an instance may take to answer the platform's questions (metrics, a socket copy). */
const ANSWER_TIMEOUT_MS = 2000;

/** A listening TCP socket as Node passes it between processes (a TCPWrap). */
export type ListenHandle = object;

/**
 * The platform's handle on one instance process: start with a handshake, hand it
 * connections, drain it, or kill it. Its exit is reported as a crash unless we caused it.
 */
export class InstanceProcess {
  private child?: ChildProcess;
  private leaving = false;
  private requests = 0;
  /** Connections sent to the child whose sending has not finished. */
  private readonly passing = new Set<Socket>();
  private readonly pendingMetrics = new Map<number, (metrics: MetricsJson | undefined) => void>();
  private readonly pendingSpares = new Map<number, (handle: ListenHandle | undefined) => void>();
  ready?: InstanceReady;

  constructor(
    readonly id: string,
    private readonly options: InstanceOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Where its own port answers (host:port), once it is ready. */
  get address(): string | undefined {
    return this.ready && `${reachableHost(this.options.host)}:${this.ready.port}`;
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
    child.on('message', (m: InstanceMessage, handle?: ListenHandle) => {
      if (m?.type === 'metrics') this.pendingMetrics.get(m.id)?.(m.metrics);
      else if (m?.type === 'spare') this.pendingSpares.get(m.id)?.(handle);
      else callbacks.onMessage(m);
    });
    void waitForExit(child).then((exit) => {
      // Sockets queued behind a handle the child never acknowledged would wait forever: their clients are let go.
      for (const socket of this.passing) socket.destroy();
      this.passing.clear();
      if (!this.leaving) callbacks.onCrash(exit);
    });
    return info;
  }

  /** Passes a connection accepted on a service port (or the gateway's); false when the instance cannot take it. */
  handOff(socket: Socket, message: ConnectionMessage): boolean {
    const child = this.child;
    if (!child?.connected || this.leaving) return false;
    // The handle now lives in the child; the parent's socket object only needs releasing.
    stopReading(socket);
    this.passing.add(socket);
    child.send(message, socket, { keepOpen: false }, () => {
      this.passing.delete(socket);
      socket.destroy();
    });
    return true;
  }

  /** The instance's own metrics (prom-client JSON); undefined when it cannot say in time. */
  metrics(): Promise<MetricsJson | undefined> {
    return this.ask(this.pendingMetrics, (id) => ({ type: 'metrics', id }));
  }

  /** Gives the instance the service's listening socket to accept from itself; false when it is gone. */
  shareListener(handle: ListenHandle): boolean {
    const child = this.child;
    if (!child?.connected || this.leaving) return false;
    child.send({ type: 'listen' } satisfies ParentMessage, handle as never);
    return true;
  }

  /** A copy of the service's listening socket sent back by the instance (the platform cannot duplicate one itself). */
  spareListener(): Promise<ListenHandle | undefined> {
    return this.ask(this.pendingSpares, (id) => ({ type: 'spare', id }));
  }

  /** Sends a request and waits for the answer with its id; undefined when the instance does not answer in time. */
  private ask<T>(pending: Map<number, (answer: T | undefined) => void>, request: (id: number) => ParentMessage): Promise<T | undefined> {
    const child = this.child;
    if (!child?.connected) return Promise.resolve(undefined);
    const id = ++this.requests;
    return new Promise((resolve) => {
      const done = (answer: T | undefined) => {
        clearTimeout(timer);
        pending.delete(id);
        resolve(answer);
      };
      const timer = setTimeout(() => done(undefined), ANSWER_TIMEOUT_MS);
      pending.set(id, done);
      child.send(request(id));
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

/**
 * Stops reading from a connection that is being passed, for good: a paused socket still
 * reads into its buffer (its stream asks for more until the buffer is full), and until the
 * handle is sent — which waits behind the child's acknowledgment of the previous one — what
 * it read stays behind in this process: a body that came after its headers would be lost.
 * Left unread, those bytes wait in the kernel and the instance reads them.
 */
function stopReading(socket: Socket): void {
  socket._read = () => undefined;
  const handle = (socket as unknown as { _handle?: { reading?: boolean; readStop?(): number } })._handle;
  if (handle?.reading && handle.readStop) {
    handle.reading = false;
    handle.readStop();
  }
}
