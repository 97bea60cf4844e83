import { ApiError } from '../../kernel/errors';
import type { BatchServiceRecord } from './batch-record';

/** A create body for a batch service (ours and ModelArts' v1 both say infer_type "batch"). */
export function isBatchBody(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { infer_type?: unknown }).infer_type === 'batch';
}

/** A batch service scores its inputs once; it is not deployed again. */
export function refuseBatchDeploy(record: BatchServiceRecord): never {
  throw new ApiError('wrong_state', `${record.name} is a batch service (${record.status}); it scores its inputs once: create another batch service to score them again`);
}
