/**
 * Where `predict` sends an image, and how it reads the answer: through a service's
 * inference code (ModelArts' `POST /` or `/v1/infers/<id>/`, answering
 * `{predicted_label, scores}`), or straight to the model over TF Serving's REST API
 * (`/v1/models/<name>`), where the client shapes the pixels as the model's metadata says.
 */
import { decodeImage } from '../../kernel/image/decode';
import { TF_SERVING_PREFIX } from '../../kernel/http/api-names';
import { ClientError, describeError, parseJson, PlatformClient } from '../api-client';

export interface ClassProbability {
  label: string;
  probability: number;
}

export interface Predictor {
  describe: string;
  classify(image: Buffer, fileName: string): Promise<ClassProbability[]>;
}

export interface TargetOptions {
  service?: string;
  url?: string;
  /** Use TF Serving's API for a service named by --service. */
  tfServing?: boolean;
  field?: string;
  appCode?: string;
}

export async function resolvePredictor(client: PlatformClient, opts: TargetOptions): Promise<Predictor> {
  if (opts.url && opts.service) throw new ClientError('give --service or --url, not both');
  if (opts.url) {
    const at = opts.url.indexOf(TF_SERVING_PREFIX);
    if (at !== -1) return tfServingPredictor(client, opts.url.replace(/(:predict|\/metadata)$/, ''), opts.appCode);
    return hookPredictor(client, opts.url, opts.field ?? 'images', opts.appCode);
  }
  if (!opts.service) throw new ClientError('say which service: --service <id or name>, or --url <address>');
  const { items } = await client.request<{ items: { id: string; name: string; model_id: string }[] }>('GET', '/services');
  const service = items.find((s) => s.id === opts.service) ?? items.find((s) => s.name === opts.service);
  if (!service) throw new ClientError(`no service has the id or name ${JSON.stringify(opts.service)}`);
  if (opts.tfServing) return tfServingPredictor(client, `${client.base}${TF_SERVING_PREFIX}${encodeURIComponent(service.name)}`, opts.appCode);
  const field = opts.field ?? (await fileField(client, service.model_id)) ?? 'images';
  return hookPredictor(client, `${client.base}/v1/infers/${service.id}/`, field, opts.appCode);
}

/** The file field the model's config.json asks for (apis[0].request.data). */
async function fileField(client: PlatformClient, modelId: string): Promise<string | undefined> {
  const model = await client.request<{ apis?: { request?: { data?: { properties?: Record<string, { type?: string }> } } }[] }>('GET', `/models/${modelId}`);
  const props = model.apis?.[0]?.request?.data?.properties ?? {};
  return Object.keys(props).find((k) => props[k]?.type === 'file');
}

function headersFor(client: PlatformClient, url: string, appCode?: string): Record<string, string> {
  const extra: Record<string, string> = appCode ? { 'x-apig-appcode': appCode } : {};
  return url.startsWith(client.base) ? client.headers(extra) : extra;
}

async function answer(client: PlatformClient, url: string, init: RequestInit): Promise<any> {
  const res = await client.fetch(url, init);
  const text = await res.text();
  const body = parseJson(text);
  if (!res.ok) throw new ClientError(`${url}: ${res.status} ${describeError(body, text)}`);
  return body;
}

function hookPredictor(client: PlatformClient, url: string, field: string, appCode?: string): Predictor {
  return {
    describe: `${url} (the service's inference code, file field "${field}")`,
    async classify(image, fileName) {
      const form = new FormData();
      form.append(field, new Blob([image]), fileName);
      const body = await answer(client, url, { method: 'POST', body: form, headers: headersFor(client, url, appCode) });
      return fromHookAnswer(body);
    },
  };
}

/** `scores` as [[label, probability], …] (ModelArts' image classification answer) or a plain list. */
function fromHookAnswer(body: any): ClassProbability[] {
  const scores = body?.scores;
  if (Array.isArray(scores) && scores.every((s) => Array.isArray(s) && s.length === 2)) {
    return scores.map(([label, p]: [unknown, unknown]) => ({ label: String(label), probability: Number(p) }));
  }
  if (Array.isArray(scores) && scores.every((s) => typeof s === 'number')) return byIndex(scores);
  throw new ClientError(`the answer has no "scores" to read classes from: ${JSON.stringify(body).slice(0, 300)}`);
}

function byIndex(values: number[]): ClassProbability[] {
  return values.map((probability, i) => ({ label: String(i), probability }));
}

function tfServingPredictor(client: PlatformClient, base: string, appCode?: string): Predictor {
  let input: Promise<{ name: string; dims: number[] }> | undefined;
  const headers = headersFor(client, base, appCode);
  return {
    describe: `${base} (TF Serving REST, the model without inference code)`,
    async classify(image) {
      input ??= answer(client, `${base}/metadata`, { headers }).then(firstInput);
      const value = pixelsFor(image, await input);
      const body = await answer(client, `${base}:predict`, { method: 'POST', body: JSON.stringify({ instances: [value] }), headers: { ...headers, 'content-type': 'application/json' } });
      return byIndex(firstRow(body.predictions));
    },
  };
}

function firstInput(metadata: any): { name: string; dims: number[] } {
  const defs = metadata?.metadata?.signature_def?.signature_def ?? {};
  // A SavedModel without serving_default (the ModelArts tutorial's predict_images) answers with its first signature.
  const signature = defs.serving_default ?? Object.values<any>(defs)[0];
  const [name, info] = Object.entries<any>(signature?.inputs ?? {})[0] ?? [];
  if (!name) throw new ClientError('the model metadata names no input');
  return { name, dims: (info.tensor_shape?.dim ?? []).map((d: { size: string }) => Number(d.size)) };
}

/** The image as the input's one example: [H, W, C], [H, W] or a flat [H*W], pixel/255. */
function pixelsFor(image: Buffer, input: { name: string; dims: number[] }): unknown {
  const dims = input.dims.slice(1);
  const [height, width] = dims.length === 1 ? [Math.sqrt(dims[0]), Math.sqrt(dims[0])] : dims;
  const channels = dims.length === 3 && dims[2] === 3 ? 3 : 1;
  const decoded = decodeImage(image, { channels });
  if (decoded.width !== width || decoded.height !== height) {
    throw new ClientError(`the image is ${decoded.width}x${decoded.height} pixels; input "${input.name}" takes ${width}x${height}`);
  }
  const scaled = Array.from(decoded.data, (v) => v / 255);
  if (dims.length === 1) return scaled;
  const pixel = (i: number) => (dims.length === 3 ? scaled.slice(i * channels, (i + 1) * channels) : scaled[i]);
  return Array.from({ length: height }, (_, y) => Array.from({ length: width }, (_, x) => pixel(y * width + x)));
}

/** The first example's probabilities; with several outputs, the first list of numbers. */
function firstRow(predictions: unknown): number[] {
  const row = Array.isArray(predictions) ? predictions[0] : undefined;
  const values = Array.isArray(row) ? row : Object.values((row ?? {}) as Record<string, unknown>).find(Array.isArray);
  if (!Array.isArray(values) || !values.every((v) => typeof v === 'number')) {
    throw new ClientError(`the answer has no list of class probabilities: ${JSON.stringify(predictions).slice(0, 300)}`);
  }
  return values;
}
