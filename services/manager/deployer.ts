import type { PlatformContext } from '../../kernel/context';
import type { DocStore } from '../../kernel/records/doc-store';
import type { ModelService } from '../../models/model-service';
import { KeyedLock } from '@modelarts-local/durable';
import { log } from '../../kernel/log';
import type { InstanceMessage } from '../instance/protocol';
import { addEvent, ServiceRecord, serviceStates, sharesOf } from '../service-record';
import { CrashRestarts } from './crash-restarts';
import { FigureBook } from './figure-book';
import { Generations } from './generations';
import { InstanceProcess } from './instance-process';
import type { InstanceLauncher } from './instance-link';
import { instanceLimits, instanceOptions, InstanceLimits, startInstance, startInstances, InstanceEvents } from './instance-set';
import { readyInstanceInfo, recordUpdater, unlessGone, type UpdateRecord } from './record-updates';
import type { ServiceMetrics } from './service-metrics';
import type { ServiceRuntime, TrafficPlan } from './service-runtime';
import { portLocks, reachableHost, type ServiceAccess } from '../access/port-access';

const DRAIN_GRACE_MS = 10_000;

/**
 * Starts, swaps and stops the instances of services. A deploy starts the new instances
 * first and moves traffic only when all are ready; the old ones then drain. Crashed
 * instances are restarted by CrashRestarts, request figures kept by FigureBook; every
 * deploy or stop opens a new generation (Generations).
 */
export class Deployer {
  private readonly generations = new Generations();
  /** The newest deploy of each service until it has ended, and the model it deploys. */
  private readonly inFlight = new Map<string, { g: number; modelId: string }>();
  private readonly serial = new KeyedLock();
  /** The model each instance serves (services may split traffic among several). */
  private readonly modelOf = new WeakMap<InstanceProcess, string>();
  private readonly update: UpdateRecord;
  private readonly figures: FigureBook;
  private readonly restarts: CrashRestarts;

  constructor(
    private readonly p: PlatformContext,
    private readonly models: ModelService,
    private readonly records: DocStore<ServiceRecord>,
    private readonly runtime: (id: string) => ServiceRuntime,
    private readonly metrics: ServiceMetrics,
    private readonly access: ServiceAccess,
    private readonly launcher: InstanceLauncher,
  ) {
    this.update = recordUpdater(records);
    this.figures = new FigureBook(records, this.update);
    this.restarts = new CrashRestarts({
      generations: this.generations,
      records,
      runtime,
      figures: this.figures,
      update: this.update,
      modelOf: this.modelOf,
      startOne: (service, modelId, envs, g) => this.startOne(service, modelId, envs, g),
      crashed: (id) => this.metrics.restarted(this.records.get(id)?.name ?? id),
    });
  }

  private limits(): InstanceLimits {
    // Real-time instances listen where INSTANCE_HOST says, and ask for credentials beyond loopback.
    return { ...instanceLimits(this.p, this.launcher), host: this.p.config.instanceHost, access: portLocks(this.p.config, this.access) };
  }

  deployInBackground(id: string, modelId: string): void {
    const g = this.generations.next(id);
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
    return flight && this.generations.current(id, flight.g) ? flight.modelId : undefined;
  }

  /**
   * Starts the instances of every model the service runs (its traffic shares, or
   * `modelId` alone) and moves the traffic to them once all are ready.
   */
  private async deploy(id: string, modelId: string, g: number): Promise<void> {
    if (!this.generations.current(id, g)) return;
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
    if (!this.generations.current(id, g)) {
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
      s.instances = instances.map((i, index) => readyInstanceInfo(i, index, this.modelOf.get(i)!));
      s.reason = undefined;
      serviceStates.transition(s, 'running');
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
    const port = await runtime.listen(this.p.config.host, service.port ?? 0, this.p.config.servicePorts);
    const grpcPort = await runtime.listenGrpc(this.p.config.host, service.grpc_port ?? 0, this.p.config.servicePorts);
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
    return instanceOptions(withEnvs, model, this.limits(), this.runtime(service.id).instanceKey);
  }

  private plan(shares: ReturnType<typeof sharesOf>): TrafficPlan {
    return { weights: new Map(shares.map((x) => [x.model_id, x.weight])), modelOf: (i) => this.modelOf.get(i) };
  }

  private async deployFailed(id: string, g: number, reason: string): Promise<void> {
    if (!this.generations.current(id, g)) return;
    const stillServing = this.runtime(id).instances.length > 0;
    await this.update(id, (s) => {
      addEvent(s, 'error', `deploy failed: ${reason}`);
      s.reason = `deploy failed: ${reason}`;
      if (stillServing) {
        addEvent(s, 'warning', `still serving model ${s.model_name} ${s.model_version} on the previous instances`);
        serviceStates.transition(s, 'running');
      } else {
        serviceStates.transition(s, 'failed');
      }
    });
  }

  /** Stops every instance of the service; its port answers 503 with `message` meanwhile. */
  async stopAll(id: string, message: string): Promise<void> {
    this.generations.next(id);
    await this.serial.run(id, async () => {
      const runtime = this.runtime(id);
      const old = [...runtime.instances];
      runtime.serve([], message);
      await this.retire(id, old);
      await this.update(id, (s) => {
        s.instances = s.instances.map((i) => ({ ...i, state: 'stopped' }));
      }).catch(unlessGone(id));
    });
  }

  private async retire(id: string, instances: InstanceProcess[]): Promise<void> {
    await Promise.all(
      instances.map(async (i) => {
        await i.drain(DRAIN_GRACE_MS);
        this.figures.of(id).retire(i.id);
      }),
    );
  }

  private events(id: string, g: number): InstanceEvents {
    return {
      onMessage: (instance, m) => this.onMessage(id, instance, m),
      onCrash: (instance, exit) => void this.restarts.onCrash(id, g, instance, exit),
    };
  }

  private onMessage(id: string, instance: InstanceProcess, m: InstanceMessage): void {
    if (m.type === 'stats') this.figures.of(id).update(instance.id, m);
    else if (m.type === 'service-metrics') void this.answerMetrics(id, instance, m.id);
    else if (m.type === 'check-token') instance.tell({ type: 'token-checked', id: m.id, verdict: this.access.judge(m.token) });
    else if (m.type === 'event') void this.update(id, (s) => addEvent(s, m.level, `instance ${instance.id}: ${m.message}`)).catch(unlessGone(id));
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

  private async startOne(service: ServiceRecord, modelId: string, envs: Record<string, string> | undefined, g: number): Promise<InstanceProcess> {
    const fresh = await startInstance(await this.optionsFor(service, modelId, envs), this.limits(), this.events(service.id, g));
    this.modelOf.set(fresh, modelId);
    return fresh;
  }

  /** The record with request counts and latency as the instances report them now. */
  withLiveFigures(s: ServiceRecord): ServiceRecord {
    return this.figures.withLive(s);
  }

  /** Starts what runs beside the deploys: the figures' periodic write. */
  start(): void {
    this.figures.start();
  }

  async shutdown(): Promise<void> {
    this.generations.close();
    this.restarts.cancelAll();
    await this.figures.close();
    const all = this.generations.ids().flatMap((id) => [...this.runtime(id).instances]);
    await Promise.all(all.map((i) => i.kill()));
  }
}

