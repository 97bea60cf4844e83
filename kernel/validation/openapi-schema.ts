/**
 * JSON Schemas as this project writes them (draft-07: `definitions`, tuple `items`,
 * ModelArts' `"type": "file"`) turned into OpenAPI 3.1 Schema Objects (JSON Schema
 * 2020-12), placed at `#/components/schemas/<name>`: `$ref`s are rewritten to point
 * there, the `x-` keywords that only our validator reads are left out, and the name rules
 * (`x-bucket-name`, `x-obs-url`) become the patterns that state them.
 */
import { BUCKET_NAME_PATTERN, OBS_URL_PATTERN } from '../storage/name-patterns';

type Json = unknown;

export interface SchemaPlacement {
  /** This schema's name under components.schemas. */
  name: string;
  /** How `other#/…` references to other documents are named under components.schemas (their ids). */
  external?: (id: string) => string;
}

export function toOpenApiSchema(schema: Json, place: SchemaPlacement): Json {
  return convert(schema, place);
}

/** Keywords whose rule the handlers check in code: the document states them as patterns. */
const NAME_RULES = ['x-bucket-name', 'x-obs-url'];

function convert(node: Json, place: SchemaPlacement): Json {
  if (Array.isArray(node)) return node.map((n) => convert(n, place));
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node as Record<string, Json>)) {
    if ((key.startsWith('x-') && !NAME_RULES.includes(key)) || key === '$schema' || key === '$id') continue;
    if (key === '$ref' && typeof value === 'string') out.$ref = rewriteRef(value, place);
    else if (key === 'definitions') out.$defs = convertMap(value, place);
    else if (key === 'properties' || key === 'patternProperties') out[key] = convertMap(value, place);
    else if (key === 'items' && Array.isArray(value)) out.prefixItems = convert(value, place);
    else if (key === 'additionalItems') out.items = convert(value, place);
    else if (key === 'x-bucket-name' && value === true) Object.assign(out, { pattern: BUCKET_NAME_PATTERN, minLength: 3, maxLength: 63 });
    else if (key === 'x-obs-url' && value === true) out.pattern = OBS_URL_PATTERN;
    else if (key === 'type' && value === 'file') Object.assign(out, { type: 'string', contentMediaType: 'application/octet-stream' });
    else if (key === 'type' && Array.isArray(value) && value.includes('file')) out.type = value.map((t) => (t === 'file' ? 'string' : t));
    else out[key] = convert(value, place);
  }
  return out;
}

/** Maps whose keys are names, not keywords (`properties`): only their values are schemas. */
function convertMap(value: Json, place: SchemaPlacement): Json {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, convert(v, place)]));
}

function rewriteRef(ref: string, place: SchemaPlacement): string {
  const hash = ref.indexOf('#');
  const doc = hash === -1 ? ref : ref.slice(0, hash);
  const pointer = (hash === -1 ? '' : ref.slice(hash + 1)).replace(/^\/definitions\//, '/$defs/');
  const target = doc ? (place.external?.(doc) ?? doc) : place.name;
  return `#/components/schemas/${escapePointer(target)}${pointer}`;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Every `$ref` in a document that points into it but finds nothing there (for tests and checks). */
export function danglingRefs(document: Json): string[] {
  const out: string[] = [];
  const walk = (node: Json): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node as Record<string, Json>)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith('#') && resolvePointer(document, v.slice(1)) === undefined) out.push(v);
      else walk(v);
    }
  };
  walk(document);
  return out;
}

function resolvePointer(document: Json, pointer: string): Json {
  let node = document;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, Json>)[key];
  }
  return node;
}
