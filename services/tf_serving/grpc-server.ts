/**
 * TF Serving's gRPC PredictionService (Predict, GetModelMetadata) inside a service
 * instance. It listens on no port of its own: the platform owns the service's gRPC
 * port and hands each accepted connection to an instance, as it does for HTTP.
 */
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import * as grpc from '@grpc/grpc-js';
import { ApiError } from '../../kernel/errors';
import { grpcErrorResponse } from '../../kernel/http/render-error';
import { APP_CODE_HEADER, TOKEN_HEADER } from '../../kernel/http/api-names';
import type { InputValue } from '../../compute/input-values';
import { encodeMessage, predictionServiceDefinition, SIGNATURE_DEF_MAP } from './grpc-definitions';
import type { Servable, ServableSet } from './servables';
import { DEFAULT_SIGNATURE, signatureDefs, signatureModel } from './signature';
import { runExamples, type ExampleMethod } from './example-signatures';
import { decodeExample, feedExamples, inputExamples } from './examples';
import { outputToTensor, tensorToInput, type TensorProtoObject } from './tensor-proto';

interface ModelSpecObject {
  name?: string;
  version?: { value?: string };
  version_label?: string;
  signature_name?: string;
}

interface PredictRequestObject {
  model_spec?: ModelSpecObject;
  inputs?: Record<string, TensorProtoObject>;
  output_filter?: string[];
}

interface MetadataRequestObject {
  model_spec?: ModelSpecObject;
  metadata_field?: string[];
}

export interface GrpcOptions {
  /** Resolves when a call with these metadata (as headers: x-apig-appcode, x-auth-token) may be served. */
  authorize(headers: Record<string, string | undefined>): Promise<void>;
  /** Counts a call in flight for the duration of `work`. */
  track<T>(work: Promise<T>): Promise<T>;
  onUnexpected(err: unknown): void;
  /** Each call's gRPC status code and time (ms), for the metrics. */
  onDone?(code: number, ms: number): void;
}

export interface GrpcEndpoint {
  inject(connection: Duplex): void;
  /** GOAWAY to every connection; calls in flight finish within `graceMs`. */
  drain(graceMs: number): void;
}

/** One service's models, or (the drop-in server) a lookup of several by model_spec.name. */
export type ServableSource = ServableSet | ((name: string) => ServableSet);

export function createGrpcEndpoint(source: ServableSource, opts: GrpcOptions): GrpcEndpoint {
  const setOf = (r: { model_spec?: ModelSpecObject }) => (typeof source === 'function' ? source(r.model_spec?.name ?? '') : source);
  const server = new grpc.Server();
  const unary = <Req, Res>(handle: (request: Req) => Promise<Res>): grpc.handleUnaryCall<Req, Res> => (call, callback) => {
    const start = performance.now();
    const work = opts.authorize(credentialsOf(call.metadata)).then(() => handle(call.request));
    opts.track(work).then(
      (response) => {
        opts.onDone?.(0, performance.now() - start);
        callback(null, response);
      },
      (err) => {
        const { code, details, expected } = grpcErrorResponse(err);
        if (!expected) opts.onUnexpected(err);
        opts.onDone?.(code, performance.now() - start);
        callback({ code, details });
      },
    );
  };
  server.addService(predictionServiceDefinition(), {
    Classify: unary((r: ExamplesRequestObject) => examplesCall(setOf(r), r, 'classify')),
    Regress: unary((r: ExamplesRequestObject) => examplesCall(setOf(r), r, 'regress')),
    Predict: unary((r: PredictRequestObject) => predict(setOf(r), r)),
    GetModelMetadata: unary((r: MetadataRequestObject) => getMetadata(setOf(r), r)),
  });
  const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
  return {
    inject: (connection) => injector.injectConnection(connection),
    drain: (graceMs) => injector.drain(graceMs),
  };
}

/** The credentials a call carries in its metadata, under the HTTP headers' names. */
function credentialsOf(metadata: grpc.Metadata): Record<string, string | undefined> {
  const text = (name: string) => {
    const value = metadata.get(name)[0];
    return typeof value === 'string' ? value : undefined;
  };
  return { [APP_CODE_HEADER]: text(APP_CODE_HEADER), [TOKEN_HEADER]: text(TOKEN_HEADER) };
}

function servableFor(servables: ServableSet, spec: ModelSpecObject | undefined): Servable {
  if (spec?.version_label) throw new ApiError('predict_not_found', `no version labels are defined here (asked for "${spec.version_label}"); use model_spec.version`);
  const version = spec?.version?.value === undefined ? undefined : Number(spec.version.value);
  return servables.get(spec?.name ?? '', version);
}

function responseSpec(name: string, servable: Servable, signature = DEFAULT_SIGNATURE): ModelSpecObject {
  return { name, version: { value: String(servable.version) }, signature_name: signature };
}

async function predict(servables: ServableSet, request: PredictRequestObject): Promise<object> {
  const servable = servableFor(servables, request.model_spec);
  const { name: signatureName, model, signature } = await signatureModel(servable.model, request.model_spec?.signature_name);
  const outputSpecs = model.outputs;
  const examples = signature?.examples;
  const serialized = examples ? request.inputs?.[examples.input]?.string_val : undefined;
  let inputs: Record<string, InputValue> = {};
  if (examples) {
    if (!serialized?.length) throw new ApiError('predict_bad_input', `input "${examples.input}" takes serialized tf.Example protos as a DT_STRING tensor`);
    inputs = feedExamples(examples, serialized.map(decodeExample));
  } else {
    for (const [name, proto] of Object.entries(request.inputs ?? {})) inputs[name] = tensorToInput(name, proto);
  }
  const wanted = request.output_filter?.length ? request.output_filter : outputSpecs.map((s) => s.name);
  const unknown = wanted.filter((n) => !outputSpecs.some((s) => s.name === n));
  if (unknown.length) throw new ApiError('predict_bad_input', `output_filter names ${unknown.join(', ')}, which the model does not have; it has ${outputSpecs.map((s) => s.name).join(', ')}`);
  const values = await model.predict(inputs);
  // A SavedModel's outputs keep TensorFlow's dtype on the wire (DT_INT64 is computed as int32 here).
  const tfDtype = (key: string) => signature?.outputs.find((o) => o.key === key)?.dtype;
  const outputs = Object.fromEntries(outputSpecs.filter((s) => wanted.includes(s.name)).map((s) => [s.name, outputToTensor(values[s.name], s, tfDtype(s.name))]));
  return { model_spec: responseSpec(servables.name, servable, signatureName), outputs };
}

interface ExamplesRequestObject {
  model_spec?: ModelSpecObject;
  input?: Parameters<typeof inputExamples>[0];
}

async function examplesCall(servables: ServableSet, request: ExamplesRequestObject, method: ExampleMethod): Promise<object> {
  const servable = servableFor(servables, request.model_spec);
  const answer = await runExamples(servable.model, request.model_spec?.signature_name, method, inputExamples(request.input));
  const model_spec = responseSpec(servables.name, servable, answer.signature);
  if (method === 'regress') return { model_spec, result: { regressions: (answer.results as number[]).map((value) => ({ value })) } };
  const classifications = (answer.results as [string, number][][]).map((pairs) => ({ classes: pairs.map(([label, score]) => ({ label, score })) }));
  return { model_spec, result: { classifications } };
}

async function getMetadata(servables: ServableSet, request: MetadataRequestObject): Promise<object> {
  const servable = servableFor(servables, request.model_spec);
  const fields = request.metadata_field ?? [];
  if (!fields.length) throw new ApiError('predict_bad_input', 'GetModelMetadataRequest must specify at least one metadata_field ("signature_def")');
  const other = fields.find((f) => f !== 'signature_def');
  if (other) throw new ApiError('predict_bad_input', `Metadata field ${other} is not supported; only "signature_def" is`);
  const map = { signature_def: signatureDefs(servable.model) };
  return {
    model_spec: responseSpec(servables.name, servable),
    metadata: { signature_def: { type_url: `type.googleapis.com/${SIGNATURE_DEF_MAP}`, value: encodeMessage(SIGNATURE_DEF_MAP, map) } },
  };
}
