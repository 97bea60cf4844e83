import { Problem } from '../kernel/errors';
import { nearest, typoAllowance } from '../kernel/util/spelling';
import { Schemas, pathFrom } from '../kernel/validation/schemas';

/**
 * The `data` of an api's request or response: a JSON Schema of the body, in the
 * ModelArts dialect where `"type": "file"` marks an uploaded file. ajv cannot compile
 * that as it stands, so the schema is walked here: file types are found (and refused
 * where no file can be), words that clearly mean a JSON type or keyword are read as it,
 * and what remains is checked against the draft-07 meta-schema with the file types
 * taken out, so that the service can later check bodies with it without surprises.
 */

export type DataSchema = { [keyword: string]: unknown };

export interface DataSchemaCheck {
  /** The schema with tolerated spellings rewritten (still holding "file" types). */
  schema: DataSchema;
  problems: Problem[];
  warnings: Problem[];
  /** Paths (relative to the schema) of the subschemas typed "file". */
  files: string[];
}

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'object', 'array', 'null'];

/** Python's names for JSON types, which ModelArts users (writing Python services) reach for. */
const PYTHON_TYPES: Record<string, string> = {
  list: 'array',
  tuple: 'array',
  dict: 'object',
  float: 'number',
  int: 'integer',
  str: 'string',
  bool: 'boolean',
};

/** Every draft-07 keyword and annotation: these are never read as a misspelling of another. */
export const JSON_SCHEMA_KEYWORDS = new Set([
  '$schema', '$id', '$ref', '$comment', 'id', 'title', 'description', 'default', 'examples', 'example', 'readOnly', 'writeOnly',
  'type', 'enum', 'const', 'multipleOf', 'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'maxLength', 'minLength',
  'pattern', 'format', 'contentMediaType', 'contentEncoding', 'items', 'additionalItems', 'maxItems', 'minItems', 'uniqueItems',
  'contains', 'maxProperties', 'minProperties', 'required', 'properties', 'patternProperties', 'additionalProperties',
  'dependencies', 'propertyNames', 'if', 'then', 'else', 'allOf', 'anyOf', 'oneOf', 'not', 'definitions',
]);

/** The keywords a misspelling is matched against: the structural ones people actually type. */
const STRUCTURAL = ['type', 'properties', 'items', 'required', 'enum', 'minItems', 'maxItems', 'minimum', 'maximum', 'minLength', 'maxLength', 'additionalProperties'];

const ONE_SCHEMA = ['additionalItems', 'additionalProperties', 'contains', 'propertyNames', 'not', 'if', 'then', 'else'];
const SCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'];
const SCHEMA_MAPS = ['properties', 'patternProperties', 'definitions', 'dependencies'];

type Node = Record<string, unknown>;
type Segments = (string | number)[];

export function checkDataSchema(data: Node, role: 'request' | 'response', schemas: Schemas): DataSchemaCheck {
  const found: DataSchemaCheck = { schema: {}, problems: [], warnings: [], files: [] };
  found.schema = readSchema(data, [], role, found) as DataSchema;
  if (found.problems.length === 0) found.problems.push(...schemas.checkSchema(withoutFileTypes(found.schema)));
  return found;
}

/** The schema with every "file" type dropped (a file is not a JSON value ajv could check). */
function withoutFileTypes(schema: unknown): unknown {
  if (!isNode(schema)) return schema;
  const out = mapSubschemas(schema, (child) => withoutFileTypes(child));
  if (out.type === 'file') delete out.type;
  if (Array.isArray(out.type)) out.type = out.type.filter((t) => t !== 'file');
  return out;
}

function readSchema(node: unknown, at: Segments, role: 'request' | 'response', found: DataSchemaCheck): unknown {
  if (typeof node === 'boolean') return node;
  if (!isNode(node)) {
    found.problems.push({ path: pathFrom(at), message: 'must be a JSON Schema: an object such as {"type": "string"}' });
    return node;
  }
  const renamed: Node = {};
  if ('$id' in node) found.problems.push({ path: pathFrom([...at, '$id']), message: 'is not supported in request and response data: the schema must stand on its own; remove $id' });
  for (const [key, value] of Object.entries(node)) {
    const meant = JSON_SCHEMA_KEYWORDS.has(key) ? undefined : nearest(key, STRUCTURAL.filter((k) => !(k in node)), typoAllowance(key.length));
    if (meant !== undefined) {
      found.warnings.push({ path: pathFrom([...at, key]), message: `is not a JSON Schema keyword and is read as ${JSON.stringify(meant)}; write ${JSON.stringify(meant)}` });
    }
    renamed[meant ?? key] = value;
  }
  if ('type' in renamed) renamed.type = readType(renamed.type, [...at, 'type'], role, found);
  checkShapes(renamed, at, found);
  return mapSubschemas(renamed, (child, rel) => readSchema(child, [...at, ...rel], role, found));
}

function readType(type: unknown, at: Segments, role: 'request' | 'response', found: DataSchemaCheck): unknown {
  if (Array.isArray(type)) return type.map((t, i) => readType(t, [...at, i], role, found));
  if (typeof type !== 'string') {
    found.problems.push({ path: pathFrom(at), message: 'must be a type name such as "string", or a list of them' });
    return type;
  }
  if (JSON_TYPES.includes(type)) return type;
  if (type === 'file') {
    if (role === 'response') {
      found.problems.push({ path: pathFrom(at), message: '"file" marks an uploaded file and belongs only in request data; describe the response with JSON types' });
    } else {
      // The subschema that holds this type, not the "type" keyword itself.
      found.files.push(pathFrom(at.slice(0, typeof at[at.length - 1] === 'number' ? -2 : -1)));
    }
    return type;
  }
  const meant = PYTHON_TYPES[type.toLowerCase()] ?? JSON_TYPES.find((t) => t === type.toLowerCase()) ?? (type.toLowerCase() === 'file' ? 'file' : undefined);
  if (meant !== undefined) {
    found.warnings.push({ path: pathFrom(at), message: `${JSON.stringify(type)} is read as ${JSON.stringify(meant)}; write ${JSON.stringify(meant)}` });
    return readType(meant, at, role, found);
  }
  found.problems.push({
    path: pathFrom(at),
    message: `${JSON.stringify(type)} is not a type: use string, number, integer, boolean, object, array or null${role === 'request' ? ', or file for an uploaded file' : ''}`,
  });
  return type;
}

/** The mistakes seen in real files, said plainly before the meta-schema would say them tersely. */
function checkShapes(node: Node, at: Segments, found: DataSchemaCheck): void {
  const problem = (key: string, message: string) => found.problems.push({ path: pathFrom([...at, key]), message });
  if ('properties' in node && !isNode(node.properties)) problem('properties', 'must be an object that maps each property name to its schema');
  if ('items' in node && !isNode(node.items) && !Array.isArray(node.items) && typeof node.items !== 'boolean') {
    problem('items', 'must be the schema of the items (an object), or a list of schemas');
  }
  if ('required' in node && !(Array.isArray(node.required) && node.required.every((r) => typeof r === 'string'))) {
    problem('required', 'must be a list of property names, such as ["images"]');
  }
}

/** A shallow copy of `node` with each subschema replaced by `fn(subschema, path from node)`. */
function mapSubschemas(node: Node, fn: (child: unknown, rel: Segments) => unknown): Node {
  const out: Node = { ...node };
  if (Array.isArray(node.items)) out.items = node.items.map((c, i) => fn(c, ['items', i]));
  else if (isSchema(node.items)) out.items = fn(node.items, ['items']);
  for (const k of ONE_SCHEMA) if (isSchema(node[k])) out[k] = fn(node[k], [k]);
  for (const k of SCHEMA_LISTS) {
    const list = node[k];
    if (Array.isArray(list)) out[k] = list.map((c, i) => fn(c, [k, i]));
  }
  for (const k of SCHEMA_MAPS) {
    const map = node[k];
    if (!isNode(map)) continue;
    // `dependencies` may also map to a list of property names, which is not a schema.
    out[k] = Object.fromEntries(Object.entries(map).map(([name, c]) => [name, k === 'dependencies' && Array.isArray(c) ? c : fn(c, [k, name])]));
  }
  return out;
}

function isSchema(v: unknown): boolean {
  return isNode(v) || typeof v === 'boolean';
}

function isNode(v: unknown): v is Node {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
