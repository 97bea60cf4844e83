/**
 * Who may call a service instance, decided in the instance for every request but GET
 * /health (docs/reliability.md, "Who may call which port"):
 *
 * - a service with an app code: only callers with it, wherever they come from;
 * - on a connection the control plane's gateway handed over: anyone the gateway let through;
 * - on the service's port (its access address, and its gRPC port): anyone while it listens on
 *   loopback; beyond loopback, with credentials configured, callers with a token the platform
 *   accepts;
 * - on the instance's own port: anyone while it listens on loopback; beyond loopback, the
 *   gateway (the key it adds to what it relays, X-Modelarts-Instance-Key: one per service,
 *   never stored) and callers with a token.
 *
 * Tokens are checked by the platform (the instance holds no platform secret: it runs the
 * user's code); an accepted token is remembered until it expires, or for a minute at most.
 */
import crypto from 'node:crypto';
import { ApiError } from '../../kernel/errors';
import { APP_CODE_HEADER, INSTANCE_KEY_HEADER, TOKEN_HEADER } from '../../kernel/http/api-names';
import { secretMatches } from '../../kernel/util/secret';

/** Where a request came in. */
export type Origin = 'own' | 'service' | 'gateway';

export interface AccessOptions {
  /** The service's ports listen beyond loopback and the platform has credentials: callers need a token or the app code. */
  servicePortLocked: boolean;
  /** The instance's own port listens beyond loopback: callers need the gateway's key, a token or the app code. */
  ownPortLocked: boolean;
  /** Whether the platform checks tokens (AUTH_TOKEN, IAM users or API keys are configured). */
  tokens: boolean;
  /** The key the gateway adds to the requests it relays to this service's instances. */
  key: string;
  appCode?: string;
}

/** The platform's verdict on a token: until when it may be trusted, or why not. */
export type TokenVerdict = { ok: true; until: number } | { ok: false; reason: 'expired' | 'invalid' };

type Headers = Record<string, string | string[] | undefined>;

/** How long an accepted token is trusted without asking again. */
const TOKEN_MEMORY_MS = 60_000;
const MAX_REMEMBERED = 1000;

export class InstanceGuard {
  private readonly accepted = new Map<string, number>();

  constructor(
    private readonly opts: AccessOptions,
    private readonly askPlatform: (token: string) => Promise<TokenVerdict>,
  ) {}

  /** Whether requests from `origin` are checked at all (on the hot path: most are not, on loopback). */
  checks(origin: Origin): boolean {
    if (this.opts.appCode !== undefined) return true;
    return origin === 'own' ? this.opts.ownPortLocked : origin === 'service' && this.opts.servicePortLocked;
  }

  /** Resolves when the caller may be served; otherwise an ApiError (401) saying what to send. */
  async check(headers: Headers, origin: Origin): Promise<void> {
    if (this.opts.appCode !== undefined) {
      if (secretMatches(headers[APP_CODE_HEADER], this.opts.appCode)) return;
      throw new ApiError('predict_unauthorized', 'this service needs its app code in the X-Apig-AppCode header');
    }
    if (origin === 'gateway') return;
    const locked = origin === 'own' ? this.opts.ownPortLocked : this.opts.servicePortLocked;
    if (!locked) return;
    if (origin === 'own' && secretMatches(headers[INSTANCE_KEY_HEADER], this.opts.key)) return;
    const token = headers[TOKEN_HEADER];
    if (this.opts.tokens && typeof token === 'string' && token !== '') return this.checkToken(token);
    throw new ApiError('predict_unauthorized', this.opts.tokens ? "this service needs a token in X-Auth-Token (the platform's, or one from POST /v3/auth/tokens)" : "this port serves the platform's gateway only; call the service's address or /v1/infers/<service id>/");
  }

  private async checkToken(token: string): Promise<void> {
    const id = crypto.createHash('sha256').update(token).digest('base64');
    const until = this.accepted.get(id);
    if (until !== undefined && until > Date.now()) return;
    this.accepted.delete(id);
    const verdict = await this.askPlatform(token);
    if (!verdict.ok) throw new ApiError('predict_unauthorized', verdict.reason === 'expired' ? 'the token in X-Auth-Token has expired; get a new one from POST /v3/auth/tokens' : 'the token in X-Auth-Token is not valid here');
    if (this.accepted.size >= MAX_REMEMBERED) this.accepted.clear();
    this.accepted.set(id, Math.min(verdict.until, Date.now() + TOKEN_MEMORY_MS));
  }
}
