/**
 * What the OpenAPI document says about each control-plane route, keyed by method and
 * path as the routers declare them. `body` names the schema in schemas/ that the
 * route's handler validates its body with, so the document shows exactly what is
 * checked. A route without an entry here fails the OpenAPI test.
 */
export interface RouteDoc {
  summary: string;
  tag: 'platform' | 'storage' | 'training' | 'models' | 'services' | 'modelarts' | 'iam' | 'console';
  /** The schema (schemas/<id>.schema.json) the JSON body is validated against. */
  body?: string;
  /** A body that is not JSON (an object upload). */
  rawBody?: boolean;
  /** Query parameters the handler reads. */
  query?: string[];
  /** What the 2xx answer is when it is not JSON. */
  produces?: string;
}

export const ROUTE_DOCS: Record<string, RouteDoc> = {
  'GET /health': { tag: 'platform', summary: 'Whether the platform works: its store, disk, compute backend, where jobs and instances run (executor), and version' },
  'GET /metrics': { tag: 'platform', summary: "The platform's and every service's metrics, in Prometheus' text format", produces: 'text/plain' },
  'GET /openapi.json': { tag: 'platform', summary: 'This document' },
  'GET /': { tag: 'console', summary: 'The web console', produces: 'text/html' },
  'GET /console/{*file}': { tag: 'console', summary: "The web console's files", produces: 'application/octet-stream' },
  'GET /buckets': { tag: 'storage', summary: 'The buckets of the object store' },
  'POST /buckets': { tag: 'storage', summary: 'Creates a bucket', body: 'bucket' },
  'DELETE /buckets/:bucket': { tag: 'storage', summary: 'Deletes an empty bucket' },
  'GET /buckets/:bucket/objects': { tag: 'storage', summary: 'Lists objects and folders', query: ['prefix', 'delimiter', 'limit', 'token'] },
  'GET /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Downloads an object', produces: 'application/octet-stream' },
  'PUT /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Uploads an object (the body is its content)', rawBody: true },
  'DELETE /buckets/:bucket/objects/{*key}': { tag: 'storage', summary: 'Deletes an object' },
  'POST /v3/auth/tokens': { tag: 'iam', summary: 'IAM: issues a token for a user (password) or the platform', body: 'iam-token' },
  'GET /v3/projects': { tag: 'iam', summary: 'IAM: the project', query: ['name'] },
  'POST /training-jobs': { tag: 'training', summary: 'Creates a training job (version V0001)', body: 'training-job' },
  'GET /training-jobs': { tag: 'training', summary: 'Lists training jobs', query: ['status', 'offset', 'limit'] },
  'GET /training-jobs/:id': { tag: 'training', summary: 'A training job with its versions' },
  'DELETE /training-jobs/:id': { tag: 'training', summary: 'Deletes a training job' },
  'POST /training-jobs/:id/versions': { tag: 'training', summary: 'Runs a new version of a training job', body: 'training-job-version' },
  'POST /training-jobs/:id/stop': { tag: 'training', summary: 'Stops the running version', query: ['version'] },
  'GET /training-jobs/:id/logs': { tag: 'training', summary: "A version's log (followable)", query: ['version', 'follow'], produces: 'text/plain' },
  'GET /training-jobs/:id/metrics': { tag: 'training', summary: 'The metrics the boot file reported', query: ['version'] },
  'POST /v2/:project_id/training-jobs': { tag: 'modelarts', summary: 'ModelArts v2: creates a training job', body: 'modelarts-training-job-v2' },
  'GET /v2/:project_id/training-jobs/:id': { tag: 'modelarts', summary: 'ModelArts v2: a training job' },
  'DELETE /v2/:project_id/training-jobs/:id': { tag: 'modelarts', summary: 'ModelArts v2: deletes a training job' },
  'POST /v2/:project_id/training-jobs/:id/actions': { tag: 'modelarts', summary: 'ModelArts v2: terminates a training job', body: 'modelarts-job-action' },
  'POST /v2/:project_id/training-job-searches': { tag: 'modelarts', summary: 'ModelArts v2: searches training jobs', body: 'modelarts-job-searches' },
  'GET /v2/:project_id/training-jobs/:id/tasks/:task/logs/preview': { tag: 'modelarts', summary: "ModelArts v2: a task's log", produces: 'text/plain' },
  'GET /v2/:project_id/training-jobs/:id/tasks/:task/logs/url': { tag: 'modelarts', summary: "ModelArts v2: a link to a task's log" },
  'GET /v2/:project_id/training-jobs/:id/metrics/:task': { tag: 'modelarts', summary: "ModelArts v2: a task's metrics" },
  'GET /v2/:project_id/training-job-engines': { tag: 'modelarts', summary: 'ModelArts v2: the engines' },
  'GET /v2/:project_id/training-job-flavors': { tag: 'modelarts', summary: 'ModelArts v2: the flavors', query: ['flavor_type'] },
  'POST /models/validate': { tag: 'models', summary: 'Checks a config.json without importing anything', body: 'model-config' },
  'POST /models/import': { tag: 'models', summary: 'Imports a model from a training job or an obs:// folder holding model/', body: 'model-import' },
  'GET /models': { tag: 'models', summary: 'Lists models', query: ['name', 'status'] },
  'GET /models/:id': { tag: 'models', summary: 'A model' },
  'DELETE /models/:id': { tag: 'models', summary: 'Deletes a model no service uses' },
  'POST /v1/:project_id/models': { tag: 'modelarts', summary: 'ModelArts v1: imports a model', body: 'modelarts-model-v1' },
  'GET /v1/:project_id/models': { tag: 'modelarts', summary: 'ModelArts v1: lists models', query: ['model_name', 'model_version', 'model_status', 'model_type', 'description', 'sort_by', 'order', 'offset', 'limit'] },
  'GET /v1/:project_id/models/:id': { tag: 'modelarts', summary: 'ModelArts v1: a model' },
  'DELETE /v1/:project_id/models/:id': { tag: 'modelarts', summary: 'ModelArts v1: deletes a model' },
  'POST /services': { tag: 'services', summary: 'Creates and deploys a real-time service (batching, traffic split, app code …); with infer_type "batch", a batch service (body: schemas/batch-service.schema.json)', body: 'service' },
  'GET /services': { tag: 'services', summary: 'Lists services, real-time and batch', query: ['status', 'model_id', 'infer_type'] },
  'GET /services/:id': { tag: 'services', summary: 'A service with its instances, events and figures' },
  'POST /services/:id/deploy': { tag: 'services', summary: 'Deploys or redeploys a service (possibly another model, or other settings)', body: 'service-deploy' },
  'POST /services/:id/stop': { tag: 'services', summary: 'Stops a service (its address answers 503 meanwhile)' },
  'DELETE /services/:id': { tag: 'services', summary: 'Deletes a service' },
  'POST /v1/:project_id/services': { tag: 'modelarts', summary: 'ModelArts v1: deploys a service', body: 'modelarts-service-v1' },
  'GET /v1/:project_id/services': { tag: 'modelarts', summary: 'ModelArts v1: lists services', query: ['service_name', 'service_status', 'model_id', 'infer_type', 'offset', 'limit'] },
  'GET /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: a service' },
  'PUT /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: changes a service (its config, or stops and starts it)', body: 'modelarts-service-v1' },
  'DELETE /v1/:project_id/services/:id': { tag: 'modelarts', summary: 'ModelArts v1: deletes a service' },
};
