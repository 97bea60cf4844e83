import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { deployService, importMnist } from '../helpers/services';
import { ROUTE_DOCS } from '../../platform/http/openapi/route-docs';
import { docKey, openApiPath } from '../../platform/http/openapi/control-plane-document';
import { danglingRefs, toOpenApiSchema } from '../../kernel/validation/openapi-schema';
import { repoPath } from '../../kernel/paths';
import Ajv2020 from 'ajv/dist/2020';

/**
 * Problems of an OpenAPI document by the specification's own JSON Schema (3.1), and of
 * each of its component schemas by JSON Schema 2020-12's meta-schema (the 3.1 dialect).
 */
async function specProblems(document: { components?: { schemas?: Record<string, object> } }): Promise<unknown[]> {
  const { Validator } = await import('@seriousme/openapi-schema-validator');
  const result = await new Validator().validate(document as never);
  const problems: unknown[] = result.valid ? [] : [result.errors];
  const ajv = new Ajv2020({ strict: false });
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    if (!ajv.validateSchema(schema)) problems.push({ name, errors: ajv.errors });
  }
  return problems;
}

describe('OpenAPI 3.1 documents', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let document: any;

  before(async () => {
    t = await startTestPlatform();
    const res = await fetch(`${t.url}/openapi.json`);
    assert.equal(res.status, 200);
    document = await res.json();
  });

  after(async () => t?.close());

  it("describes every route of the control plane (ModelArts' own included), each with its summary", () => {
    assert.equal(document.openapi, '3.1.0');
    const routes = t.platform.routes;
    assert.ok(routes.some((r) => r.path.startsWith('/v2/:project_id')) && routes.some((r) => r.path.startsWith('/v1/:project_id')) && routes.some((r) => r.path.startsWith('/v3/')));
    for (const route of routes) {
      assert.ok(ROUTE_DOCS[docKey(route)], `${docKey(route)} has no entry in platform/http/openapi/route-docs.ts`);
      const operation = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      assert.ok(operation, `${docKey(route)} is missing from /openapi.json`);
      assert.equal(operation.summary, ROUTE_DOCS[docKey(route)].summary);
    }
    const answered = new Set(routes.map(docKey));
    const stale = Object.keys(ROUTE_DOCS).filter((key) => !answered.has(key));
    assert.deepEqual(stale, [], 'route-docs.ts describes routes that no router answers');
  });

  it('shows each request body as the JSON Schema its route validates it with', async () => {
    const body = (method: string, p: string) => document.paths[p][method].requestBody.content['application/json'].schema.$ref;
    assert.equal(body('post', '/services'), '#/components/schemas/service');
    assert.equal(body('post', '/v2/{project_id}/training-jobs'), '#/components/schemas/modelarts-training-job-v2');
    assert.equal(body('put', '/v1/{project_id}/services/{id}'), '#/components/schemas/modelarts-service-v1');
    for (const id of Object.values(ROUTE_DOCS).flatMap((d) => (d.body ? [d.body] : []))) {
      const file = JSON.parse(await fs.readFile(repoPath('schemas', `${id}.schema.json`), 'utf8'));
      assert.deepEqual(document.components.schemas[id], toOpenApiSchema(file, { name: id }), id);
    }
    assert.ok(document.components.schemas.service.properties.batching, 'batching is in POST /services');
    assert.deepEqual(danglingRefs(document), []);
  });

  it('is valid by the OpenAPI 3.1 specification', async () => {
    assert.deepEqual(await specProblems(document), []);
  });

  it("serves each service's document, made from its config.json apis, at <access address>/openapi.json", async () => {
    const model = await importMnist(t, 'openapi', 'mnist');
    const service = await deployService(t.url, { name: 'described', model_id: model.id });
    const doc: any = await (await fetch(`${service.access_address}openapi.json`)).json();
    const viaGateway = await (await fetch(`${t.url}/v1/infers/${service.id}/openapi.json`)).json();
    assert.deepEqual(viaGateway, doc);
    const config = JSON.parse(await fs.readFile(path.join(repoPath('samples', 'mnist', 'code', 'model-package'), 'config.json'), 'utf8'));
    const api = config.apis[0];
    const op = doc.paths[api.url][api.method];
    assert.ok(op, `${api.method} ${api.url} from config.json`);
    const requestSchema = op.requestBody.content[api.request['Content-type']].schema;
    const responseSchema = op.responses['200'].content[api.response['Content-type']].schema;
    assert.deepEqual(doc.components.schemas[requestSchema.$ref.split('/').pop()], { type: 'object', properties: { images: { type: 'string', contentMediaType: 'application/octet-stream' } } });
    const response = doc.components.schemas[responseSchema.$ref.split('/').pop()];
    assert.deepEqual(response.required, api.response.data.required);
    assert.deepEqual(response.properties.scores.items.prefixItems, api.response.data.properties.scores.items.items, 'tuple items become prefixItems');
    for (const p of ['/v1/models/described:predict', '/v2/models/described/infer', '/metrics']) assert.ok(doc.paths[p], p);
    assert.equal(doc.info.version, '1.0.0');
    assert.deepEqual(danglingRefs(doc), []);
    assert.deepEqual(await specProblems(doc), []);
  });
});
