/**
 * What the OpenAPI document says about each control-plane route, keyed by method and
 * path as the routers declare them. `body` names the schema in schemas/ that the
 * route's handler validates its body with, so the document shows exactly what is
 * checked. A route without an entry here fails the OpenAPI test.
 */
import { JOB_STATUSES } from '../../../jobs/job-record';
import { MODEL_STATUSES } from '../../../models/model-record';
import { ANY_SERVICE_STATUS } from '../../../services/routes/services';
import { MAX_LIST_LIMIT } from '../../../storage/object-browser';
import { q, type Creates } from './parameters';

export interface RouteDoc {
  summary: string;
  tag: 'platform' | 'storage' | 'training' | 'models' | 'services' | 'modelarts' | 'iam' | 'console';
  /** The schema (schemas/<id>.schema.json) the JSON body is validated against. */
  body?: string;
  /** A body that is not JSON (an object upload). */
  rawBody?: boolean;
  /** Query parameters the handler reads, with their schemas. */
  query?: Record<string, Record<string, unknown>>;
  /** The status of a success (200 unless said). */
  status?: number[];
  /** What the answer names that the call created, and the routes that act on it (OpenAPI links). */
  creates?: Creates;
  /** What the 2xx answer is when it is not JSON ('nothing': no body). */
  produces?: string;
}

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /health': { tag: 'platform', summary: 'Whether the platform works: its store, disk, compute backend, where jobs and instances run (executor), and version' },
  'GET /metrics': { tag: 'platform', summary: "The platform's and every service's metrics, in Prometheus' text format", produces: 'text/plain' },
  'GET /openapi.json': { tag: 'platform', summary: 'This document' },
  'GET /': { tag: 'console', summary: 'The web console', produces: 'text/html' },
  'GET /console/{*file}': { tag: 'console', summary: "The web console's files", produces: '*/*' },
  'GET /buckets': { tag: 'storage', summary: 'The buckets of the object store' },
  'POST /buckets': { tag: 'storage', summary: 'Creates a bucket', body: 'bucket', status: [201], creates: { under: ['/buckets/{bucket}'], params: { bucket: '$response.body#/name' } } },
  'DELETE /buckets/:bucket': { tag: 'storage', summary: 'Deletes an empty bucket', status: [204] },
  'GET /buckets/:bucket/objects': { tag: 'storage', summary: 'Lists objects and folders', query: { prefix: q.text(), delimiter: q.oneOf(['/']), limit: q.whole(1, MAX_LIST_LIMIT), token: q.text() } },
  'GET /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Downloads an object (with the Content-Type it was uploaded with)', produces: '*/*' },
  'PUT /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Uploads an object (the body is its content)', rawBody: true, status: [201] },
  'DELETE /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Deletes an object' },
  'POST /v3/auth/tokens': { tag: 'iam', summary: 'IAM: issues a token for a user (password) or the platform', body: 'iam-token', status: [201] },
  'GET /v3/projects': { tag: 'iam', summary: 'IAM: the project', query: { name: q.text() } },
  'POST /training-jobs': { tag: 'training', summary: 'Creates a training job (version V0001)', body: 'training-job', status: [201], creates: { under: ['/training-jobs/{id}', '/v2/{project_id}/training-jobs/{id}'], params: { id: '$response.body#/id' } } },
  'GET /training-jobs': { tag: 'training', summary: 'Lists training jobs', query: { status: q.oneOf(JOB_STATUSES), offset: q.whole(0, 1e9), limit: q.whole(1, 100) } },
  'GET /training-jobs/:id': { tag: 'training', summary: 'A training job with its versions' },
  'DELETE /training-jobs/:id': { tag: 'training', summary: 'Deletes a training job', status: [204] },
  'POST /training-jobs/:id/versions': { tag: 'training', summary: 'Runs a new version of a training job', body: 'training-job-version', status: [201] },
  'POST /training-jobs/:id/stop': { tag: 'training', summary: 'Stops the running version', query: { version: q.version() } },
  'GET /training-jobs/:id/logs': { tag: 'training', summary: "A version's log (followable)", query: { version: q.version(), follow: q.flag() }, produces: 'text/plain' },
  'GET /training-jobs/:id/metrics': { tag: 'training', summary: 'The metrics the boot file reported (from the offset-th on)', query: { version: q.version(), offset: q.whole(0, 1e9) } },
  'POST /v2/:project_id/training-jobs': { tag: 'modelarts', summary: 'ModelArts v2: creates a training job', body: 'modelarts-training-job-v2', status: [201], creates: { under: ['/v2/{project_id}/training-jobs/{id}', '/training-jobs/{id}'], params: { id: '$response.body#/metadata/id', task: '$response.body#/status/tasks/0' } } },
  'GET /v2/:project_id/training-jobs/:id': { tag: 'modelarts', summary: 'ModelArts v2: a training job' },
  'DELETE /v2/:project_id/training-jobs/:id': { tag: 'modelarts', summary: 'ModelArts v2: deletes a training job', status: [202], produces: 'nothing' },
  'POST /v2/:project_id/training-jobs/:id/actions': { tag: 'modelarts', summary: 'ModelArts v2: terminates a training job', body: 'modelarts-job-action', status: [202] },
  'POST /v2/:project_id/training-job-searches': { tag: 'modelarts', summary: 'ModelArts v2: searches training jobs', body: 'modelarts-job-searches' },
  'GET /v2/:project_id/training-jobs/:id/tasks/:task/logs/preview': { tag: 'modelarts', summary: "ModelArts v2: a task's log (its newest part)" },
  'GET /v2/:project_id/training-jobs/:id/tasks/:task/logs/url': { tag: 'modelarts', summary: "ModelArts v2: a link to a task's log" },
  'GET /v2/:project_id/training-jobs/:id/metrics/:task': { tag: 'modelarts', summary: "ModelArts v2: a task's metrics" },
  'GET /v2/:project_id/training-job-engines': { tag: 'modelarts', summary: 'ModelArts v2: the engines' },
  'GET /v2/:project_id/training-job-flavors': { tag: 'modelarts', summary: 'ModelArts v2: the flavors', query: { flavor_type: q.text() } },
  'POST /models/validate': { tag: 'models', summary: 'Checks a config.json without importing anything', body: 'model-config' },
  'POST /models/import': { tag: 'models', summary: 'Imports a model from a training job or an obs:// folder holding model/', body: 'model-import', status: [201], creates: { under: ['/models/{id}', '/v1/{project_id}/models/{id}'], params: { id: '$response.body#/id' } } },
  'GET /models': { tag: 'models', summary: 'Lists models', query: { name: q.text(), status: q.oneOf(MODEL_STATUSES) } },
  'GET /models/:id': { tag: 'models', summary: 'A model' },
  'DELETE /models/:id': { tag: 'models', summary: 'Deletes a model no service uses', status: [204] },
  'POST /v1/:project_id/models': { tag: 'modelarts', summary: 'ModelArts v1: imports a model', body: 'modelarts-model-v1', creates: { under: ['/v1/{project_id}/models/{id}', '/models/{id}'], params: { id: '$response.body#/model_id' } } },
  'GET /v1/:project_id/models': { tag: 'modelarts', summary: 'ModelArts v1: lists models', query: { model_name: q.text(), model_version: q.text(), model_status: q.text(), model_type: q.text(), description: q.text(), sort_by: q.oneOf(['create_at', 'model_version', 'model_size']), order: q.oneOf(['asc', 'desc']), offset: q.whole(0, 1e6), limit: q.whole(1, 1000) } },
  'GET /v1/:project_id/models/:id': { tag: 'modelarts', summary: 'ModelArts v1: a model' },
  'DELETE /v1/:project_id/models/:id': { tag: 'modelarts', summary: 'ModelArts v1: deletes a model' },
  'POST /services': { tag: 'services', summary: 'Creates and deploys a real-time service (batching, traffic split, app code …); with infer_type "batch", a batch service (body: schemas/batch-service.schema.json)', body: 'service', status: [201], creates: { under: ['/services/{id}', '/v1/{project_id}/services/{id}', '/v1/infers/{service_id}'], params: { id: '$response.body#/id', service_id: '$response.body#/id' } } },
  'GET /services': { tag: 'services', summary: 'Lists services, real-time and batch', query: { status: q.oneOf(ANY_SERVICE_STATUS), model_id: q.text(), infer_type: q.oneOf(['real-time', 'batch']) } },
  'GET /services/:id': { tag: 'services', summary: 'A service with its instances, events and figures' },
  'POST /services/:id/deploy': { tag: 'services', summary: 'Deploys or redeploys a service (possibly another model, or other settings)', body: 'service-deploy', status: [200, 202] },
  'POST /services/:id/stop': { tag: 'services', summary: 'Stops a service (its address answers 503 meanwhile)' },
  'DELETE /services/:id': { tag: 'services', summary: 'Deletes a service', status: [204] },
  'POST /v1/:project_id/services': { tag: 'modelarts', summary: 'ModelArts v1: deploys a service', body: 'modelarts-service-v1', creates: { under: ['/v1/{project_id}/services/{id}', '/services/{id}', '/v1/infers/{service_id}'], params: { id: '$response.body#/service_id', service_id: '$response.body#/service_id' } } },
  'GET /v1/:project_id/services': { tag: 'modelarts', summary: 'ModelArts v1: lists services', query: { service_name: q.text(), service_status: q.text(), model_id: q.text(), infer_type: q.text(), offset: q.whole(0, 1e6), limit: q.whole(1, 1000) } },
  'GET /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: a service' },
  'PUT /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: changes a service (its config, or stops and starts it)', body: 'modelarts-service-v1' },
  'DELETE /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: deletes a service' },
};
