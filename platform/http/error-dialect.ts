import type { ErrorDialect } from '../errors';

/**
 * Which API family a path belongs to, for the shape of its errors (see renderError):
 * the one place where that choice is made.
 */
export function errorDialect(path: string): ErrorDialect {
  if (path.startsWith('/v3/')) return 'iam';
  if (/^\/v2\//.test(path)) return 'modelarts-v2';
  if (/^\/v1\/[^/]+\/training-jobs(\/|$)/.test(path)) return 'modelarts-v1-training';
  return 'platform';
}
