import { MissingDocError, type DocStore } from '../../kernel/records/doc-store';
import { log } from '../../kernel/log';
import type { InstanceInfo, ServiceRecord } from '../service-record';
import type { InstanceProcess } from './instance-process';

export type UpdateRecord = (id: string, mutate: (s: ServiceRecord) => void) => Promise<ServiceRecord>;

/** The one way the deployer's parts change a service's record. */
export function recordUpdater(records: DocStore<ServiceRecord>): UpdateRecord {
  return (id, mutate) => records.update(id, mutate);
}

/** For notes on a record that may race the service's deletion: a deleted service is no error; anything else is logged. */
export function unlessGone(id: string): (err: unknown) => void {
  return (err) => {
    if (!(err instanceof MissingDocError)) log.warn(`updating the record of service ${id} failed`, err);
  };
}

/** What the service's record says of a ready instance. */
export function readyInstanceInfo(i: InstanceProcess, index: number, modelId: string): InstanceInfo {
  const now = new Date().toISOString();
  return {
    id: i.id,
    index,
    model_id: modelId,
    state: 'ready',
    pid: i.pid,
    ...(i.node ? { node: i.node } : {}),
    address: `http://${i.address}/`,
    started_at: now,
    ready_at: now,
    load_ms: i.ready!.load_ms,
    restarts: 0,
  };
}
