import Ajv, { ValidateFunction } from 'ajv';
import { problemsFromAjv } from '../../kernel/validation/schemas';
import { logDropped } from '../../kernel/util/drop';

/**
 * Checks a hook's answer against config.json apis[0].response.data. ModelArts
 * schemas may say `"type": "file"`, which is not JSON Schema: such nodes accept anything.
 */
export function compileResponseCheck(schema: unknown): ((value: unknown) => string | undefined) | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  let validate: ValidateFunction;
  try {
    validate = new Ajv({ allErrors: true, strict: false }).compile(withoutFileTypes(schema) as object);
  } catch (err) {
    // A schema Ajv cannot compile checks nothing; the service answers as it would without one.
    return logDropped("compiling config.json's apis[0].response schema", err);
  }
  return (value) => {
    if (validate(value)) return undefined;
    return problemsFromAjv(validate.errors ?? [])
      .map((p) => `${p.path} ${p.message}`)
      .join('; ');
  };
}

function withoutFileTypes(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutFileTypes);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === 'type' && v === 'file') continue;
    out[k] = withoutFileTypes(v);
  }
  return out;
}
