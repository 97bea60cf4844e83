import crypto from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { ApiError, notFound } from '../../kernel/errors';
import type { PlatformContext } from '../../kernel/context';
import { DocStore } from '../../kernel/records/doc-store';
import type { ModelService } from '../../models/model-service';
import { log } from '../../kernel/log';
import { addEvent, enterDeploying, ServiceRecord, serviceStates, ServiceStatus, sharesOf, TrafficShare, withTerminal } from '../service-record';
import { DeployServiceRequest, parseCreateService, parseDeployService, TrafficRequest } from '../service-request';
import { Deployer } from './deployer';
import { ServiceMetrics } from './service-metrics';
import type { Registry } from 'prom-client';
import type { Socket } from 'node:net';
import { batchingFrom, DEFAULT_BATCHING } from '../batching/batching-config';
import { ServiceRuntime, type InstanceTarget } from './service-runtime';
import type { InstanceLauncher } from './instance-link';
import { LocalLauncher } from './local-link';
import { NO_CREDENTIALS, portLocks, type ServiceAccess } from '../access/port-access';
import { InstanceGuard } from '../access/instance-guard';

const ACTIVE: readonly ServiceStatus[] = ['deploying', 'running', 'concerning'];

/** Real-time services: records, deploy / stop / delete, and their live runtimes. */
export class ServiceManager {
  readonly records: DocStore<ServiceRecord>;
  private readonly runtimes = new Map<string, ServiceRuntime>();
  private readonly deployer: Deployer;
  private readonly metrics: ServiceMetrics;

  /** `launcher` starts the instances: processes on this machine by default, or a cluster's (platform/areas.ts chooses). */
  constructor(
    private readonly p: PlatformContext,
    private readonly models: ModelService,
    /** Whether a batch service has this name (names are unique across both kinds). */
    private readonly batchName: (name: string) => boolean = () => false,
    private readonly access: ServiceAccess = NO_CREDENTIALS,
    launcher: InstanceLauncher = new LocalLauncher((id) => models.ensureLocal(id)),
  ) {
    this.records = new DocStore<ServiceRecord>(`${p.config.dataDir}/meta`, 'services');
    this.metrics = new ServiceMetrics(p.metrics.registry, () => this.records.list());
    this.deployer = new Deployer(p, models, this.records, (id) => this.runtime(id), this.metrics, access, launcher);
  }

  /** The names of the services that run a model (in any of their traffic shares). */
  modelUsers(modelId: string): string[] {
    return this.records.list().filter((s) => sharesOf(s).some((x) => x.model_id === modelId)).map((s) => s.name);
  }

  /** After a restart, services that were up are brought back up on their old ports. */
  async start(): Promise<void> {
    this.metrics.register();
    this.deployer.start();
    await this.records.load();
    for (const s of this.records.list()) {
      if (s.status === 'stopping') await this.update(s.id, (r) => serviceStates.transition(r, 'stopped'));
      if (ACTIVE.includes(s.status)) {
        await this.update(s.id, (r) => {
          enterDeploying(r);
          addEvent(r, 'info', 'the platform restarted: deploying again');
        });
        this.deployer.deployInBackground(s.id, s.model_id);
      } else if (s.port) {
        // Stopped and failed services keep answering 503 on their address.
        await this.runtime(s.id).listen(this.p.config.host, s.port, this.p.config.servicePorts);
        if (s.grpc_port) await this.runtime(s.id).listenGrpc(this.p.config.host, s.grpc_port, this.p.config.servicePorts);
      }
    }
  }

  async shutdown(): Promise<void> {
    await this.deployer.shutdown();
    await Promise.all([...this.runtimes.values()].map((r) => r.close()));
    this.runtimes.clear();
  }

  async create(body: unknown): Promise<ServiceRecord> {
    const req = parseCreateService(body, this.p.schemas);
    const traffic = req.traffic && this.trafficShares(req.traffic, req.instance_count);
    const model = this.deployableModel(traffic ? traffic[0].model_id : req.model_id!);
    if (this.batchName(req.name)) throw new ApiError('duplicate', `a batch service named ${req.name} exists already`);
    const now = new Date().toISOString();
    const id = crypto.randomUUID();
    const record: ServiceRecord = {
      id,
      name: req.name,
      description: req.description ?? '',
      model_id: model.id,
      model_name: model.name,
      model_version: model.version,
      instance_count: traffic ? traffic.reduce((n, x) => n + x.instance_count, 0) : (req.instance_count ?? 1),
      ...(traffic && { traffic }),
      specification: req.specification ?? 'modelarts.vm.cpu.2u',
      envs: req.envs ?? {},
      cors: req.cors ?? { allow_origins: ['localhost'] },
      app_code: req.app_code,
      batching: batchingFrom(req.batching),
      status: 'deploying',
      infer_url: `/v1/infers/${id}/`,
      instances: [],
      events: [],
      request_count: 0,
      failure_count: 0,
      schema_mismatch_count: 0,
      created_at: now,
      updated_at: now,
    };
    addEvent(record, 'info', `service created with model ${sharesOf(record).map((x) => `${x.model_name} ${x.model_version}`).join(', ')}`);
    const result = await this.records.createUnique(record, (s) => s.name === req.name);
    if ('conflict' in result) throw new ApiError('duplicate', `a service named ${req.name} exists already (id ${result.conflict.id})`);
    this.deployer.deployInBackground(id, model.id);
    return this.get(id);
  }

  /**
   * Deploys (or redeploys, possibly to another model) in the background; answers at once.
   * Asking again for what is deploying or running already changes nothing and answers the
   * record as it is; only rolling to another model while a deploy is under way is refused.
   */
  async deploy(id: string, body: unknown): Promise<ServiceRecord> {
    const current = this.get(id);
    const req = parseDeployService(body, this.p.schemas);
    if (current.status === 'stopping') throw new ApiError('wrong_state', `service ${current.name} is stopping; deploy it once it is stopped`);
    const traffic = req.traffic && this.trafficShares(req.traffic, req.instance_count);
    const inFlight = current.status === 'deploying' ? (this.deployer.deploying(id) ?? current.model_id) : undefined;
    const model = this.deployableModel(traffic ? traffic[0].model_id : (req.model_id ?? inFlight ?? current.model_id));
    if (inFlight !== undefined && model.id !== inFlight) {
      const deploying = this.models.records.get(inFlight);
      const named = deploying ? `${deploying.name} ${deploying.version}` : inFlight;
      throw new ApiError('wrong_state', `service ${current.name} is deploying model ${named}; wait until it is done before rolling to ${model.name} ${model.version}`);
    }
    const alreadyThere = inFlight !== undefined || (current.status === 'running' && model.id === current.model_id);
    if (alreadyThere && !changesSettings(current, req, traffic)) return current;
    await this.update(id, (s) => {
      enterDeploying(s);
      s.reason = undefined;
      if (traffic) {
        s.traffic = traffic;
        s.instance_count = traffic.reduce((n, x) => n + x.instance_count, 0);
      } else if (req.model_id) {
        s.traffic = undefined;
      }
      if (req.instance_count && !traffic) s.instance_count = req.instance_count;
      if (req.envs) s.envs = req.envs;
      if (req.cors) s.cors = req.cors;
      if (req.app_code !== undefined) s.app_code = req.app_code ?? undefined;
      if (req.batching !== undefined) s.batching = batchingFrom(req.batching, s.batching);
      addEvent(s, 'info', `deploy requested: model ${model.name} ${model.version}, ${s.instance_count} instance(s)`);
    });
    this.deployer.deployInBackground(id, model.id);
    return this.get(id);
  }

  async stop(id: string): Promise<ServiceRecord> {
    const current = this.get(id);
    if (current.status === 'stopped' || current.status === 'stopping') {
      throw new ApiError('wrong_state', `service ${current.name} is ${current.status} already`);
    }
    await this.update(id, (s) => {
      serviceStates.transition(s, 'stopping');
      addEvent(s, 'info', 'stop requested');
    });
    await this.deployer.stopAll(id, 'the service is stopped; deploy it again to use it');
    await this.update(id, (s) => {
      serviceStates.transition(s, 'stopped');
      addEvent(s, 'info', 'stopped');
    });
    return this.get(id);
  }

  async delete(id: string): Promise<void> {
    this.get(id);
    await this.deployer.stopAll(id, 'the service is being deleted');
    await this.runtimes.get(id)?.close();
    this.runtimes.delete(id);
    await this.records.delete(id);
  }

  get(id: string): ServiceRecord {
    const s = this.records.get(id);
    if (!s) throw notFound('service', id);
    return withTerminal(this.deployer.withLiveFigures(s));
  }

  list(filter: { status?: string; model_id?: string }): ServiceRecord[] {
    return this.records
      .list()
      .filter((s) => (!filter.status || s.status === filter.status) && (!filter.model_id || s.model_id === filter.model_id))
      .sort((a, b) => (a.created_at < b.created_at ? 1 : -1))
      .map((s) => withTerminal(this.deployer.withLiveFigures(s)));
  }

  /** Where the gateway sends a request for service `id` (round robin over ready instances). */
  route(id: string): InstanceTarget {
    // Every gateway request comes here: the record is read only to explain a refusal.
    const address = this.runtimes.get(id)?.pickAddress();
    if (address) return address;
    const service = this.records.peek(id);
    if (!service) throw new ApiError('predict_not_found', `service ${JSON.stringify(id)} does not exist`);
    throw new ApiError('predict_unavailable', `service ${service.name} is ${service.status}; it has no instance ready to answer`);
  }

  /** Every running instance's series, summed per service (for the control plane's /metrics). */
  metricsRegistry(): Promise<Registry> {
    return this.metrics.instances([...this.runtimes.values()].flatMap((r) => [...r.instances]));
  }

  /** Passes a gateway connection for service `id` to one of its instances; false when none can take it. */
  handOffGateway(id: string, socket: Socket, head: Buffer): boolean {
    return this.runtimes.get(id)?.handOffGateway(id, socket, head) ?? false;
  }

  /** The id of the service named `name` (names are unique), for TF Serving's by-name API. */
  idByName(name: string): string | undefined {
    return this.records.findId((s) => s.name === name);
  }

  /** The service's app code, when it requires one (for the gateway's access check). */
  appCode(id: string): string | undefined {
    return this.records.peek(id)?.app_code;
  }

  private runtime(id: string): ServiceRuntime {
    let r = this.runtimes.get(id);
    if (!r) {
      const locks = portLocks(this.p.config, this.access);
      const judge = async (token: string) => this.access.judge(token);
      // While no instance serves, the port answers 503 itself: to those its instances would serve.
      r = new ServiceRuntime(id, (req) => new InstanceGuard({ ...locks, key: '', appCode: this.appCode(id) }, judge).check(req.headers, 'service'));
      this.runtimes.set(id, r);
    }
    return r;
  }

  /** The requested shares with their models' names; every model must be deployable and named once. */
  private trafficShares(requested: TrafficRequest[], instanceCount?: number): TrafficShare[] {
    const seen = new Set<string>();
    return requested.map((r, i) => {
      if (seen.has(r.model_id)) throw new ApiError('invalid_request', `model ${r.model_id} is named twice in traffic`, [{ path: `traffic[${i}].model_id`, message: 'is named twice' }]);
      seen.add(r.model_id);
      const model = this.deployableModel(r.model_id);
      return {
        model_id: model.id,
        model_name: model.name,
        model_version: model.version,
        weight: r.weight,
        instance_count: r.instance_count ?? instanceCount ?? 1,
        ...(r.specification && { specification: r.specification }),
        ...(r.envs && { envs: r.envs }),
      };
    });
  }

  private deployableModel(modelId: string) {
    const model = this.models.get(modelId);
    if (model.status !== 'published') {
      throw new ApiError('wrong_state', `model ${model.name} ${model.version} is ${model.status}${model.reason ? ` (${model.reason})` : ''}; only a published model can be deployed`);
    }
    return model;
  }

  private update(id: string, mutate: (s: ServiceRecord) => void): Promise<ServiceRecord> {
    return this.records.update(id, mutate).catch((err) => {
      log.warn(`could not update service ${id}`, err);
      throw err;
    });
  }
}

/** Whether a deploy request asks for settings other than the service's own. */
function changesSettings(s: ServiceRecord, req: DeployServiceRequest, traffic: TrafficShare[] | undefined): boolean {
  return (
    (req.instance_count !== undefined && req.instance_count !== s.instance_count) ||
    (req.envs !== undefined && !isDeepStrictEqual(req.envs, s.envs)) ||
    (req.cors !== undefined && !isDeepStrictEqual(req.cors, s.cors)) ||
    (req.app_code !== undefined && (req.app_code ?? undefined) !== s.app_code) ||
    (req.batching !== undefined && !isDeepStrictEqual(batchingFrom(req.batching, s.batching), s.batching ?? DEFAULT_BATCHING)) ||
    (traffic !== undefined && !isDeepStrictEqual(traffic, s.traffic))
  );
}
