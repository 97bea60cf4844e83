/**
 * The error bodies of each API family (render-error.ts writes them) as JSON Schemas, for
 * the OpenAPI documents of the control plane and of each service: a client, or a fuzzer,
 * can check every error it gets against the shape its family promises.
 */
import type { ErrorDialect } from './render-error';

const PROBLEMS = { type: 'array', items: { type: 'object', required: ['path', 'message'], properties: { path: { type: 'string' }, message: { type: 'string' } } } };

export const ERROR_SCHEMAS: Record<ErrorDialect, Record<string, unknown>> = {
  platform: {
    type: 'object',
    required: ['error_code', 'error_msg'],
    properties: { error_code: { type: 'string', examples: ['ModelArts.0101'] }, error_msg: { type: 'string' }, errors: PROBLEMS },
  },
  'modelarts-v2': {
    type: 'object',
    required: ['error_code', 'error_msg', 'error_solution'],
    properties: { error_code: { type: 'string', examples: ['ModelArts.0101'] }, error_msg: { type: 'string' }, error_solution: { type: 'string' }, errors: PROBLEMS },
  },
  'modelarts-v1-training': {
    type: 'object',
    required: ['is_success', 'error_code', 'error_message'],
    properties: { is_success: { const: false }, error_code: { type: 'string' }, error_message: { type: 'string' }, errors: PROBLEMS },
  },
  iam: {
    type: 'object',
    required: ['error'],
    properties: { error: { type: 'object', required: ['code', 'message', 'title'], properties: { code: { type: 'integer' }, message: { type: 'string' }, title: { type: 'string' } } } },
  },
  'tf-serving': { type: 'object', required: ['error'], properties: { error: { type: 'string' } } },
  // ModelArts' Python runtime answers its own errors as {erno, msg, words_result}; the platform's others keep their shape.
  'modelarts-runtime': {
    anyOf: [
      { type: 'object', required: ['erno', 'msg'], properties: { erno: { type: 'string', examples: ['MR.0105'] }, msg: { type: 'string' }, words_result: { type: 'object' } } },
      { $ref: '#/components/schemas/Error' },
    ],
  },
};

/** Names under components.schemas. */
export const ERROR_SCHEMA_NAMES: Record<ErrorDialect, string> = {
  platform: 'Error',
  'modelarts-v2': 'ModelArtsV2Error',
  'modelarts-v1-training': 'ModelArtsV1TrainingError',
  iam: 'IamError',
  'tf-serving': 'TfServingError',
  'modelarts-runtime': 'RuntimeError',
};
