import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { InstanceOptions } from '../instance/protocol';
import type { InstanceProcess } from '../manager/instance-process';
import { startInstance, startInstances, type InstanceEvents, type InstanceLimits } from '../manager/instance-set';
import { readyInstanceInfo } from '../manager/record-updates';
import type { BatchInstanceInfo } from './batch-record';
import { RestartBackoff, RESTART_POLICIES } from '../../kernel/process/restart-policy';

/** Requests one instance is given at once: enough to fill its dynamic batches (the real-time figures are taken at 32). */
const REQUESTS_PER_INSTANCE = 32;
/** Inputs under way per instance: as many again are being read from or written to the store while those wait on it. */
export const INPUTS_UNDER_WAY_PER_INSTANCE = 2 * REQUESTS_PER_INSTANCE;

interface Live {
  process: InstanceProcess;
  /** When it became ready, its address and load time. */
  info: BatchInstanceInfo;
  inFlight: number;
  requests: number;
  restarts: number;
}

export interface BatchInstanceEvents {
  event(type: 'info' | 'warning' | 'error', message: string): void;
  /** No instance could be started again: the batch cannot go on. */
  fatal(reason: string): void;
}

/**
 * The instances of one batch service, started as real-time instances are (the same
 * process, hook and batching), and the requests in flight on each: an input goes to the
 * instance with the fewest. A crashed instance is started again with backoff; the inputs
 * it held are sent again by the task.
 */
export class BatchInstances {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: REQUESTS_PER_INSTANCE });
  private live: Live[] = [];
  private waiters: (() => void)[] = [];
  private closed = false;
  private failedReason?: string;
  /** What infos() says once the instances are closed. */
  private final?: BatchInstanceInfo[];

  constructor(
    private readonly options: InstanceOptions,
    private readonly limits: InstanceLimits,
    private readonly count: number,
    private readonly modelId: string,
    private readonly events: BatchInstanceEvents,
  ) {}

  async start(): Promise<void> {
    const started = await startInstances(this.count, this.options, this.limits, this.processEvents());
    this.live = started.map((process, index) => this.slot(process, index, 0));
  }

  /** The least busy instance with room for one more request; waits while every one is full or restarting. */
  async acquire(): Promise<Live> {
    for (;;) {
      if (this.failedReason) throw new Error(this.failedReason);
      if (this.closed) throw new Error('the batch service is stopping');
      const free = this.live.filter((l) => l.inFlight < REQUESTS_PER_INSTANCE).sort((a, b) => a.inFlight - b.inFlight)[0];
      if (free) {
        free.inFlight++;
        return free;
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  release(slot: Live, answered: boolean): void {
    slot.inFlight--;
    if (answered) slot.requests++;
    this.wake();
  }

  /** Where the slot's instance answers: host:port (this machine's loopback, or its cluster node). */
  address(slot: Live): string {
    return slot.process.address!;
  }

  infos(): BatchInstanceInfo[] {
    if (this.final) return this.final;
    return this.live.map((l) => ({ ...l.info, requests: l.requests, restarts: l.restarts }));
  }

  private slot(process: InstanceProcess, index: number, restarts: number): Live {
    return { process, info: { ...readyInstanceInfo(process, index, this.modelId), requests: 0 }, inFlight: 0, requests: 0, restarts };
  }

  async close(): Promise<void> {
    this.final = this.infos().map((i) => ({ ...i, state: 'stopped' as const }));
    this.closed = true;
    this.wake();
    this.agent.destroy();
    await Promise.all(this.live.map((l) => l.process.kill()));
    this.live = [];
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }

  private processEvents(): InstanceEvents {
    return {
      onMessage: (instance, m) => {
        if (m.type === 'event') this.events.event(m.level, `instance ${instance.id}: ${m.message}`);
      },
      onCrash: (instance, exit) => void this.restart(instance, exit.reason),
    };
  }

  private async restart(dead: InstanceProcess, reason: string): Promise<void> {
    const slot = this.live.find((l) => l.process === dead);
    if (!slot || this.closed) return;
    this.live = this.live.filter((l) => l !== slot);
    this.events.event('error', `instance ${dead.id} ${reason}; starting it again (its inputs are sent again)`);
    const backoff = new RestartBackoff(RESTART_POLICIES.batchInstance);
    while (!this.closed) {
      const delay = backoff.nextDelay();
      if (delay === undefined) return this.fail(`instance ${dead.id} could not be started again after ${backoff.count} attempts`);
      await sleep(delay);
      if (this.closed) return;
      try {
        const fresh = await startInstance(this.options, this.limits, this.processEvents());
        if (this.closed) return void (await fresh.kill());
        this.live.push({ ...this.slot(fresh, slot.info.index, slot.restarts + 1), requests: slot.requests });
        this.events.event('info', `instance ${fresh.id} replaced ${dead.id} and is ready`);
        this.wake();
        return;
      } catch (err) {
        this.events.event('error', `starting instance ${dead.id} again failed: ${(err as Error).message}`);
      }
    }
  }

  private fail(reason: string): void {
    this.failedReason = reason;
    this.events.fatal(reason);
    this.wake();
  }
}
