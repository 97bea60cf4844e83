/**
 * What the platform tells the services area about access: whether it checks tokens, its
 * verdict on one (the platform's credentials live in platform/auth, above this area), and
 * from where the ports listen, which ports ask for credentials (instance-guard.ts).
 */
import { isLoopback } from '../../kernel/config';
import type { AccessOptions, TokenVerdict } from './instance-guard';

export interface ServiceAccess {
  /** Whether the platform requires credentials (AUTH_TOKEN, IAM users or API keys), so tokens can be judged. */
  tokens: boolean;
  /** The platform's verdict on a token. */
  judge(token: string): TokenVerdict;
}

/** A platform with no credentials configured: nothing to judge a token by. */
export const NO_CREDENTIALS: ServiceAccess = { tokens: false, judge: () => ({ ok: false, reason: 'invalid' }) };

/** Which ports ask for credentials: the service's beyond loopback when the platform has credentials, an instance's own beyond loopback always. */
export function portLocks(hosts: { host: string; instanceHost: string }, access: ServiceAccess): Omit<AccessOptions, 'key' | 'appCode'> {
  return { servicePortLocked: access.tokens && !isLoopback(hosts.host), ownPortLocked: !isLoopback(hosts.instanceHost), tokens: access.tokens };
}

/** The host a client calls for a listen address: a wildcard is not one, loopback always answers. */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
