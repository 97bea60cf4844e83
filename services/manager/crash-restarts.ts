import type { DocStore } from '../../kernel/records/doc-store';
import type { ExitInfo } from '../../kernel/process/supervise';
import { RestartBackoff, RESTART_POLICIES } from '../../kernel/process/restart-policy';
import { addEvent, serviceStates, sharesOf, type ServiceRecord } from '../service-record';
import type { FigureBook } from './figure-book';
import type { Generations } from './generations';
import type { InstanceProcess } from './instance-process';
import { readyInstanceInfo, unlessGone, type UpdateRecord } from './record-updates';
import type { ServiceRuntime } from './service-runtime';

export interface CrashRestartDeps {
  generations: Generations;
  records: DocStore<ServiceRecord>;
  runtime: (id: string) => ServiceRuntime;
  figures: FigureBook;
  update: UpdateRecord;
  /** The model each instance serves. */
  modelOf: WeakMap<InstanceProcess, string>;
  /** Starts one instance of the service for `modelId` (with that share's envs), in generation `g`. */
  startOne: (service: ServiceRecord, modelId: string, envs: Record<string, string> | undefined, g: number) => Promise<InstanceProcess>;
  /** Told of every crash of a serving instance (the restart counter in the metrics). */
  crashed: (id: string) => void;
}

/**
 * A serving instance that dies is taken out of the traffic at once, the others go on,
 * and it is restarted with backoff (`RESTART_POLICIES.instance`) until a restart succeeds
 * or its generation ends.
 */
export class CrashRestarts {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly d: CrashRestartDeps) {}

  async onCrash(id: string, g: number, instance: InstanceProcess, exit: ExitInfo): Promise<void> {
    const runtime = this.d.runtime(id);
    if (!this.d.generations.current(id, g) || !runtime.instances.includes(instance)) return;
    runtime.serve(runtime.instances.filter((i) => i !== instance));
    this.d.figures.of(id).retire(instance.id);
    this.d.crashed(id);
    await this.d.update(id, (s) => {
      addEvent(s, 'error', `instance ${instance.id} ${exit.reason}; restarting it`);
      const info = s.instances.find((i) => i.id === instance.id);
      if (info) {
        info.state = 'restarting';
        info.last_exit = exit.reason;
      }
      if (s.status === 'running') serviceStates.transition(s, 'concerning');
    }).catch(unlessGone(id));
    this.schedule(id, g, instance, new RestartBackoff(RESTART_POLICIES.instance));
  }

  /** Cancels every restart that is waiting (at shutdown). */
  cancelAll(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private schedule(id: string, g: number, dead: InstanceProcess, backoff: RestartBackoff): void {
    const delay = backoff.nextDelay();
    if (delay === undefined) {
      void this.d.update(id, (s) => addEvent(s, 'error', `instance ${dead.id} was not restarted: ${backoff.count} tries failed`)).catch(unlessGone(id));
      return;
    }
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.restart(id, g, dead, backoff);
    }, delay);
    this.timers.add(timer);
  }

  private async restart(id: string, g: number, dead: InstanceProcess, backoff: RestartBackoff): Promise<void> {
    if (!this.d.generations.current(id, g)) return;
    const service = this.d.records.get(id);
    if (!service) return;
    const modelId = this.d.modelOf.get(dead) ?? service.model_id;
    let fresh: InstanceProcess;
    try {
      const share = sharesOf(service).find((x) => x.model_id === modelId);
      fresh = await this.d.startOne(service, modelId, share?.envs, g);
    } catch (err) {
      await this.d.update(id, (s) => addEvent(s, 'error', `restart of instance ${dead.id} failed: ${(err as Error).message}`)).catch(unlessGone(id));
      this.schedule(id, g, dead, backoff);
      return;
    }
    if (!this.d.generations.current(id, g)) return void fresh.kill();
    const runtime = this.d.runtime(id);
    runtime.serve([...runtime.instances, fresh]);
    await this.d.update(id, (s) => replaced(s, dead, fresh, modelId, runtime.instances.length)).catch(unlessGone(id));
  }
}

/** The record after `fresh` replaced `dead`: its slot, its restart count, and the status once enough serve again. */
function replaced(s: ServiceRecord, dead: InstanceProcess, fresh: InstanceProcess, modelId: string, serving: number): void {
  const index = s.instances.findIndex((i) => i.id === dead.id);
  const restarts = (s.instances[index]?.restarts ?? 0) + 1;
  const info = { ...readyInstanceInfo(fresh, Math.max(index, 0), modelId), restarts };
  if (index === -1) s.instances.push(info);
  else s.instances[index] = info;
  addEvent(s, 'info', `instance ${fresh.id} replaced ${dead.id} and is ready`);
  if (serving >= s.instance_count && s.status === 'concerning') serviceStates.transition(s, 'running');
}
