import type { Context } from 'koa';
import { ApiError } from '../errors';

/** A whole-number query parameter within bounds, or a 400 naming it. */
export function intQuery(ctx: Context, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || value < min || value > max) {
    throw new ApiError('invalid_request', `query parameter ${name} must be a whole number from ${min} to ${max}`);
  }
  return value;
}

export function stringQuery(ctx: Context, name: string): string | undefined {
  const raw = ctx.query[name];
  if (raw === undefined || raw === '') return undefined;
  if (typeof raw !== 'string') throw new ApiError('invalid_request', `query parameter ${name} is given more than once`);
  return raw;
}

/** A query parameter that must be one of `values` when given, or a 400 listing them. */
export function oneOfQuery<T extends string>(ctx: Context, name: string, values: readonly T[]): T | undefined {
  const raw = stringQuery(ctx, name);
  if (raw !== undefined && !values.includes(raw as T)) throw new ApiError('invalid_request', `${name} must be one of ${values.join(', ')}`);
  return raw as T | undefined;
}

export function flagQuery(ctx: Context, name: string): boolean {
  const raw = stringQuery(ctx, name);
  return raw !== undefined && raw !== '0' && raw !== 'false';
}
