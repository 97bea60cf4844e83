import type { PlatformContext } from '../../platform/context';
import type { DocStore } from '../../platform/meta/doc-store';
import type { ModelService } from '../../platform/models/model-service';
import type { ExitInfo } from '../../platform/process/supervise';
import { KeyedMutex } from '../../platform/util/concurrency';
import { log } from '../../platform/log';
import type { InstanceMessage, InstanceOptions } from '../instance/protocol';
import { addEvent, InstanceInfo, ServiceRecord, sharesOf, transitionService } from '../service-record';
import { InstanceProcess } from './instance-process';
import { instanceOptions, InstanceLimits, startInstance, startInstances, InstanceEvents } from './instance-set';
import type { TrafficPlan } from './service-runtime';
import { Figures } from './figures';
import type { ServiceMetrics } from './service-metrics';
import type { ServiceRuntime } from './service-runtime';

const DRAIN_GRACE_MS = 10_000;
const RESTART_BACKOFF_MS = [500, 1000, 2000, 5000, 10_000, 30_000];
const FIGURES_FLUSH_MS = 10_000;

/**
 * Starts, swaps, restarts and stops the instances of services. A deploy starts the
 * new instances first and moves traffic only when all are ready; the old ones then
 * drain. Every deploy or stop opens a new generation, so late news from an older one
 * (a crash, a slow start) cannot undo it.
 */
export class Deployer {
  private readonly generation = new Map<string, number>();
  /** The newest deploy of each service until it has ended, and the model it deploys. */
  private readonly inFlight = new Map<string, { g: number; modelId: string }>();
  private readonly serial = new KeyedMutex();
  private readonly figures = new Map<string, Figures>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** The model each instance serves (services may split traffic among several). */
  private readonly modelOf = new WeakMap<InstanceProcess, string>();
  private readonly flusher: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly p: PlatformContext,
    private readonly models: ModelService,
    private readonly records: DocStore<ServiceRecord>,
    private readonly runtime: (id: string) => ServiceRuntime,
    private readonly metrics: ServiceMetrics,
  ) {
    this.flusher = setInterval(() => void this.flushFigures(), FIGURES_FLUSH_MS);
    this.flusher.unref();
  }

  private limits(): InstanceLimits {
    const c = this.p.config;
    return {
      host: '127.0.0.1',
      maxBodyBytes: c.predict.maxBodyBytes,
      timeoutMs: c.predict.timeoutMs,
      requestTimeoutMs: c.predict.requestTimeoutMs,
      startTimeoutMs: c.predict.deployTimeoutMs,
      compute: c.compute,
      python: c.python,
      pythonWorkers: c.pythonWorkers,
      platformVersion: this.p.version,
    };
  }

  private nextGeneration(id: string): number {
    const g = (this.generation.get(id) ?? 0) + 1;
    this.generation.set(id, g);
    return g;
  }

  private current(id: string, g: number): boolean {
    return !this.closed && this.generation.get(id) === g;
  }

  deployInBackground(id: string, modelId: string): void {
    const g = this.nextGeneration(id);
    this.inFlight.set(id, { g, modelId });
    void this.serial
      .run(id, () => this.deploy(id, modelId, g))
      .catch((err) => log.error(`deploy of service ${id} failed`, err))
      .finally(() => {
        if (this.inFlight.get(id)?.g === g) this.inFlight.delete(id);
      });
  }

  /** The model a deploy of the service is starting now, if one is under way. */
  deploying(id: string): string | undefined {
    const flight = this.inFlight.get(id);
    return flight && this.current(id, flight.g) ? flight.modelId : undefined;
  }

  /**
   * Starts the instances of every model the service runs (its traffic shares, or
   * `modelId` alone) and moves the traffic to them once all are ready.
   */
  private async deploy(id: string, modelId: string, g: number): Promise<void> {
    if (!this.current(id, g)) return;
    const started = Date.now();
    const service = this.records.get(id);
    if (!service) return;
    const runtime = this.runtime(id);
    const shares = service.traffic ?? sharesOf({ ...service, model_id: modelId });
    let instances: InstanceProcess[];
    try {
      await this.openPorts(id, service);
      instances = await this.startShares(service, shares, this.events(id, g));
    } catch (err) {
      await this.deployFailed(id, g, (err as Error).message);
      return;
    }
    if (!this.current(id, g)) {
      await Promise.all(instances.map((i) => i.kill()));
      return;
    }
    const old = [...runtime.instances];
    runtime.serve(instances, undefined, service.traffic ? this.plan(shares) : null);
    await this.update(id, (s) => {
      const model = this.models.get(shares[0].model_id);
      s.model_id = model.id;
      s.model_name = model.name;
      s.model_version = model.version;
      s.instances = instances.map((i, index) => this.info(i, index, this.modelOf.get(i)!));
      s.reason = undefined;
      transitionService(s, 'running');
      for (const i of instances) addEvent(s, 'info', `instance ${i.id} ready: model and hook loaded in ${i.ready!.load_ms} ms (backend ${i.ready!.backend}, hook ${i.ready!.hook})`);
      // Instances of one package say the same notes; each is said once.
      for (const note of new Set(instances.flatMap((i) => i.ready?.notes ?? []))) addEvent(s, 'info', note);
      const what = shares.map((x) => `${this.models.get(x.model_id).name} ${this.models.get(x.model_id).version}${shares.length > 1 ? ` (weight ${x.weight})` : ''}`).join(', ');
      addEvent(s, 'info', `running model ${what} on ${instances.length} instance(s), deployed in ${Date.now() - started} ms`);
    });
    await this.retire(id, old);
  }

  private async openPorts(id: string, service: ServiceRecord): Promise<void> {
    const runtime = this.runtime(id);
    const port = await runtime.listen(this.p.config.host, service.port ?? 0);
    const grpcPort = await runtime.listenGrpc(this.p.config.host, service.grpc_port ?? 0);
    await this.update(id, (s) => {
      s.port = port;
      s.access_address = `http://${reachableHost(this.p.config.host)}:${port}/`;
      s.grpc_port = grpcPort;
      s.grpc_address = `${reachableHost(this.p.config.host)}:${grpcPort}`;
    });
  }

  /** Every share's instances, all or none: if one fails to start, the others are stopped. */
  private async startShares(service: ServiceRecord, shares: ReturnType<typeof sharesOf>, events: InstanceEvents): Promise<InstanceProcess[]> {
    const results = await Promise.allSettled(
      shares.map(async (share) => {
        const options = await this.optionsFor(service, share.model_id, share.envs);
        const started = await startInstances(share.instance_count, options, this.limits(), events);
        for (const i of started) this.modelOf.set(i, share.model_id);
        return started;
      }),
    );
    const all = results.flatMap((r) => (r.status === 'fulfilled' ? r.value : []));
    const failure = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
    if (failure) {
      await Promise.all(all.map((i) => i.kill()));
      throw failure.reason;
    }
    return all;
  }

  private async optionsFor(service: ServiceRecord, modelId: string, envs?: Record<string, string>) {
    const model = this.models.get(modelId);
    const withEnvs = envs ? { ...service, envs: { ...service.envs, ...envs } } : service;
    return instanceOptions(withEnvs, model, await this.models.ensureLocal(modelId), this.limits());
  }

  private plan(shares: ReturnType<typeof sharesOf>): TrafficPlan {
    return { weights: new Map(shares.map((x) => [x.model_id, x.weight])), modelOf: (i) => this.modelOf.get(i) };
  }

  private async deployFailed(id: string, g: number, reason: string): Promise<void> {
    if (!this.current(id, g)) return;
    const stillServing = this.runtime(id).instances.length > 0;
    await this.update(id, (s) => {
      addEvent(s, 'error', `deploy failed: ${reason}`);
      s.reason = `deploy failed: ${reason}`;
      if (stillServing) {
        addEvent(s, 'warning', `still serving model ${s.model_name} ${s.model_version} on the previous instances`);
        transitionService(s, 'running');
      } else {
        transitionService(s, 'failed');
      }
    });
  }

  /** Stops every instance of the service; its port answers 503 with `message` meanwhile. */
  async stopAll(id: string, message: string): Promise<void> {
    this.nextGeneration(id);
    await this.serial.run(id, async () => {
      const runtime = this.runtime(id);
      const old = [...runtime.instances];
      runtime.serve([], message);
      await this.retire(id, old);
      await this.update(id, (s) => {
        s.instances = s.instances.map((i) => ({ ...i, state: 'stopped' }));
      }).catch(() => undefined);
    });
  }

  private async retire(id: string, instances: InstanceProcess[]): Promise<void> {
    await Promise.all(
      instances.map(async (i) => {
        await i.drain(DRAIN_GRACE_MS);
        this.figuresOf(id).retire(i.id);
      }),
    );
  }

  private events(id: string, g: number): InstanceEvents {
    return {
      onMessage: (instance, m) => this.onMessage(id, instance, m),
      onCrash: (instance, exit) => void this.onCrash(id, g, instance, exit),
    };
  }

  private onMessage(id: string, instance: InstanceProcess, m: InstanceMessage): void {
    if (m.type === 'stats') this.figuresOf(id).update(instance.id, m);
    else if (m.type === 'service-metrics') void this.answerMetrics(id, instance, m.id);
    else if (m.type === 'event') void this.update(id, (s) => addEvent(s, m.level, `instance ${instance.id}: ${m.message}`)).catch(() => undefined);
  }

  /** An instance was asked for its service's metrics (a GET /metrics on the service address). */
  private async answerMetrics(id: string, instance: InstanceProcess, request: number): Promise<void> {
    const name = this.records.get(id)?.name ?? id;
    const answer = await this.metrics.serviceText(name, this.runtime(id).instances).catch((err) => {
      log.warn(`metrics of service ${name} could not be gathered`, err);
      return { contentType: 'text/plain', text: '' };
    });
    instance.tell({ type: 'service-metrics', id: request, ...answer });
  }

  /** A serving instance died: the others go on, and it is restarted with backoff. */
  private async onCrash(id: string, g: number, instance: InstanceProcess, exit: ExitInfo): Promise<void> {
    const runtime = this.runtime(id);
    if (!this.current(id, g) || !runtime.instances.includes(instance)) return;
    runtime.serve(runtime.instances.filter((i) => i !== instance));
    this.figuresOf(id).retire(instance.id);
    this.metrics.restarted(this.records.get(id)?.name ?? id);
    await this.update(id, (s) => {
      addEvent(s, 'error', `instance ${instance.id} ${exit.reason}; restarting it`);
      const info = s.instances.find((i) => i.id === instance.id);
      if (info) {
        info.state = 'restarting';
        info.last_exit = exit.reason;
      }
      if (s.status === 'running') transitionService(s, 'concerning');
    }).catch(() => undefined);
    this.scheduleRestart(id, g, instance, 0);
  }

  private scheduleRestart(id: string, g: number, dead: InstanceProcess, attempt: number): void {
    const delay = RESTART_BACKOFF_MS[Math.min(attempt, RESTART_BACKOFF_MS.length - 1)];
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.restart(id, g, dead, attempt);
    }, delay);
    this.timers.add(timer);
  }

  private async restart(id: string, g: number, dead: InstanceProcess, attempt: number): Promise<void> {
    if (!this.current(id, g)) return;
    const service = this.records.get(id);
    if (!service) return;
    let fresh: InstanceProcess;
    const modelId = this.modelOf.get(dead) ?? service.model_id;
    try {
      const share = sharesOf(service).find((x) => x.model_id === modelId);
      fresh = await startInstance(await this.optionsFor(service, modelId, share?.envs), this.limits(), this.events(id, g));
      this.modelOf.set(fresh, modelId);
    } catch (err) {
      await this.update(id, (s) => addEvent(s, 'error', `restart of instance ${dead.id} failed: ${(err as Error).message}`)).catch(() => undefined);
      this.scheduleRestart(id, g, dead, attempt + 1);
      return;
    }
    if (!this.current(id, g)) return void fresh.kill();
    const runtime = this.runtime(id);
    runtime.serve([...runtime.instances, fresh]);
    await this.update(id, (s) => {
      const index = s.instances.findIndex((i) => i.id === dead.id);
      const restarts = (s.instances[index]?.restarts ?? 0) + 1;
      const info = { ...this.info(fresh, Math.max(index, 0), modelId), restarts };
      if (index === -1) s.instances.push(info);
      else s.instances[index] = info;
      addEvent(s, 'info', `instance ${fresh.id} replaced ${dead.id} and is ready`);
      if (runtime.instances.length >= s.instance_count && s.status === 'concerning') transitionService(s, 'running');
    }).catch(() => undefined);
  }

  private info(i: InstanceProcess, index: number, modelId: string): InstanceInfo {
    const now = new Date().toISOString();
    return {
      id: i.id,
      index,
      model_id: modelId,
      state: 'ready',
      pid: i.pid,
      address: `http://127.0.0.1:${i.ready!.port}/`,
      started_at: now,
      ready_at: now,
      load_ms: i.ready!.load_ms,
      restarts: 0,
    };
  }

  private figuresOf(id: string): Figures {
    let f = this.figures.get(id);
    if (!f) {
      const s = this.records.get(id);
      f = new Figures({ requests: s?.request_count ?? 0, failures: s?.failure_count ?? 0, mismatches: s?.schema_mismatch_count ?? 0 });
      this.figures.set(id, f);
    }
    return f;
  }

  /** The record with request counts and latency as the instances report them now. */
  withLiveFigures(s: ServiceRecord): ServiceRecord {
    const f = this.figures.get(s.id);
    return f ? { ...s, ...f.summary() } : s;
  }

  private async flushFigures(): Promise<void> {
    for (const [id, f] of this.figures) {
      if (!f.takeChanged() || !this.records.get(id)) continue;
      await this.update(id, (s) => Object.assign(s, f.summary())).catch(() => undefined);
    }
  }

  private update(id: string, mutate: (s: ServiceRecord) => void): Promise<ServiceRecord> {
    return this.records.update(id, mutate);
  }

  async shutdown(): Promise<void> {
    this.closed = true;
    clearInterval(this.flusher);
    for (const t of this.timers) clearTimeout(t);
    await this.flushFigures();
    const all = [...this.generation.keys()].flatMap((id) => [...this.runtime(id).instances]);
    await Promise.all(all.map((i) => i.kill()));
  }
}

/** A wildcard listen address is not one a client can call; loopback always answers. */
function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
