/**
 * Real things for the fuzzer to find behind the ids it sends: a bucket with an object, a
 * finished training job, an imported model and a running service. Schemathesis draws path
 * parameters from these (dictionaries, most of the time) and from its own strings (the rest),
 * so requests reach the handlers' logic as well as their 404s.
 */
import { api, apiDefaults } from '../helpers/http';
import { createJob, uploadCode, waitForJob } from '../helpers/jobs';
import type { TestPlatform } from '../helpers/platform';
import { deployService, importMnist } from '../helpers/services';

export const FUZZ_TOKEN = 'fuzz-platform-token';
const BUCKET = 'fuzz-data';

export interface FuzzResources {
  jobId: string;
  modelId: string;
  /** The OBS folder the model was imported from (it holds model/). */
  modelUrl: string;
  serviceId: string;
  serviceName: string;
}

export async function prepareResources(t: TestPlatform): Promise<FuzzResources> {
  apiDefaults.headers = { 'X-Auth-Token': FUZZ_TOKEN };
  try {
    await uploadCode(t.store, `obs://${BUCKET}/code/`, ['echo-args.js']);
    const job = await createJob(t.url, { name: 'fuzz-job', algorithm: { engine: 'node', code_dir: `obs://${BUCKET}/code/`, boot_file: 'echo-args.js' }, data_url: `obs://${BUCKET}/code/`, train_url: `obs://${BUCKET}/out/` });
    const done = await waitForJob(t.url, job.id);
    if (done.status !== 'Completed') throw new Error(`the fixture job ended ${done.status}: ${done.versions[0].reason}`);
    const model = await importMnist(t, BUCKET, 'fuzz-model');
    const service = await deployService(t.url, { name: 'fuzz-service', model_id: model.id });
    if (service.status !== 'running') throw new Error(`the fixture service is ${service.status}: ${service.reason}`);
    const listed = await api(t.url, 'GET', `/buckets/${BUCKET}/objects`);
    if (listed.status !== 200) throw new Error(`the fixture bucket cannot be listed: ${listed.status}`);
    return { jobId: job.id, modelId: model.id, modelUrl: model.source.url, serviceId: service.id, serviceName: service.name };
  } finally {
    apiDefaults.headers = {};
  }
}

/**
 * Dictionaries of the real ids and folders, and which parameters draw from them (and how
 * often): path parameters, and the body fields that name what must exist (a code dir, a
 * model, a job), so that creates succeed often enough for the stateful phase to follow
 * their links. New services get one instance, so a run does not start dozens of processes.
 */
export function resourcesToml(r: FuzzResources): string {
  const list = (values: string[]) => `values = [${values.map((v) => JSON.stringify(v)).join(', ')}]`;
  return [
    '[dictionaries.ids]',
    list([r.jobId, r.modelId, r.serviceId]),
    '[dictionaries.services]',
    list([r.serviceId]),
    '[dictionaries.service-names]',
    list([r.serviceName]),
    '[dictionaries.buckets]',
    list([BUCKET]),
    '[dictionaries.tasks]',
    list(['worker-0']),
    '[dictionaries.models]',
    list([r.modelId]),
    '[dictionaries.jobs]',
    list([r.jobId]),
    '[dictionaries.model-folders]',
    list([r.modelUrl]),
    '[dictionaries.code]',
    list([`obs://${BUCKET}/code/`]),
    '[dictionaries.boot-files]',
    list(['echo-args.js']),
    '[dictionaries.one]',
    'values = [1]',
    '[parameters]',
    '"path.id" = { dictionary = "ids", probability = 0.7 }',
    '"path.service_id" = { dictionary = "services", probability = 0.7 }',
    '"path.name" = { dictionary = "service-names", probability = 0.7 }',
    '"path.bucket" = { dictionary = "buckets", probability = 0.5 }',
    '"path.task" = { dictionary = "tasks", probability = 0.7 }',
    '"body.model_id" = { dictionary = "models", probability = 0.5 }',
    '"body.training_job_id" = { dictionary = "jobs", probability = 0.5 }',
    '"body.source_job_id" = { dictionary = "jobs", probability = 0.5 }',
    '"body.url" = { dictionary = "model-folders", probability = 0.5 }',
    '"body.source_location" = { dictionary = "model-folders", probability = 0.5 }',
    '"body.algorithm.code_dir" = { dictionary = "code", probability = 0.5 }',
    '"body.algorithm.boot_file" = { dictionary = "boot-files", probability = 0.5 }',
    '"body.instance_count" = { dictionary = "one", probability = 1.0 }',
    '"body.traffic[*].instance_count" = { dictionary = "one", probability = 1.0 }',
    '"body.config[*].instance_count" = { dictionary = "one", probability = 1.0 }',
    '',
  ].join('\n');
}
