/**
 * What the control plane's OpenAPI document says about parameters: the rules each path
 * parameter is checked with (bucket names and object keys as the store and obs:// URLs
 * check them, the one project id), query parameters' types and ranges, and the links from
 * an operation that creates something to the operations on it (create → get → delete),
 * so that a client — or a fuzzer — can follow them.
 */
import { MAX_KEY_BYTES } from '@modelarts-local/s3-server/names';
import { BUCKET_NAME_PATTERN, OBJECT_KEY_PATTERN } from '../../../kernel/storage/name-patterns';

type Schema = Record<string, unknown>;

/** The schema of a path parameter, by its name in the routers' paths. */
export function pathParameterSchema(name: string, projectId: string): Schema {
  switch (name) {
    case 'bucket':
      return { type: 'string', pattern: BUCKET_NAME_PATTERN, minLength: 3, maxLength: 63 };
    case 'key':
      // Keys are limited in bytes of UTF-8; a key of that many characters is the longest that may fit.
      return { type: 'string', pattern: OBJECT_KEY_PATTERN, minLength: 1, maxLength: MAX_KEY_BYTES };
    case 'project_id':
      return { type: 'string', enum: [projectId], description: "this platform's project id (PROJECT_ID)" };
    default:
      return { type: 'string', minLength: 1 };
  }
}

/** Query parameter schemas (a route's doc names them with these); each may be empty, which query.ts reads as not given. */
export const q = {
  text: (): Schema => ({ type: 'string' }),
  oneOf: (values: readonly string[]): Schema => ({ type: 'string', enum: [...values, ''] }),
  whole: (minimum: number, maximum: number): Schema => ({ anyOf: [{ type: 'integer', minimum, maximum }, { type: 'string', maxLength: 0 }] }),
  flag: (): Schema => ({ type: 'string', description: 'false when empty, 0 or false; true otherwise' }),
  /** A version's name (V0002) or its number (2). */
  version: (): Schema => ({ type: 'string', pattern: '^(V[0-9]{4}|[0-9]+)?$' }),
};

/** Where an operation's answer names what it created, and which operations act on it. */
export interface Creates {
  /** OpenAPI path prefixes of the operations on the created thing (`/services/{id}`). */
  under: string[];
  /** Runtime expressions for their path parameters, by name (`{ id: '$response.body#/id' }`). */
  params: Record<string, string>;
}

export interface Operation {
  operationId: string;
  responses: Record<string, { links?: Record<string, unknown>; [more: string]: unknown }>;
}

/**
 * Adds OpenAPI links from each creating operation's success answer to every operation
 * whose path starts with one of its `under` prefixes. A target's `project_id` is the
 * one the creating request used, when it used one.
 */
export function addLinks(paths: Record<string, Record<string, Operation>>, creating: { path: string; method: string; creates: Creates; status: string }[]): void {
  for (const { path, method, creates, status } of creating) {
    const sameProject = path.includes('{project_id}');
    const response = paths[path]?.[method]?.responses[status];
    if (!response) continue;
    const links: Record<string, unknown> = {};
    for (const [targetPath, operations] of Object.entries(paths)) {
      if (!creates.under.some((prefix) => targetPath === prefix || targetPath.startsWith(`${prefix}/`))) continue;
      const names = [...targetPath.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const parameters = Object.fromEntries(
        names.flatMap((n) => (creates.params[n] ? [[n, creates.params[n]]] : n === 'project_id' && sameProject ? [[n, '$request.path.project_id']] : [])),
      );
      if (!Object.keys(parameters).length) continue;
      for (const op of Object.values(operations)) {
        links[op.operationId.replace(/^./, (c) => c.toUpperCase())] = { operationId: op.operationId, parameters };
      }
    }
    if (Object.keys(links).length) response.links = links;
  }
}
