import { ApiError } from '../../kernel/errors';
import type { ModelArtsApiConfig } from '../../kernel/config';
import { secretMatches } from '../../kernel/util/secret';
import type { IamTokens } from './iam-tokens';
import type { TokenVerdict } from '../../services/access/instance-guard';
import { parseAuthorization, SignedRequest, verifySdkSignature } from './sdk-signature';

/** Who made a call: the platform token, an IAM user's token, or an AK/SK signature. */
export type Caller = { kind: 'platform-token' } | { kind: 'iam-token'; user: string } | { kind: 'aksk'; accessKeyId: string } | { kind: 'anonymous' };

/**
 * Checks the credentials a call carries, the same way for the control plane and the
 * prediction gateway. With nothing configured (no AUTH_TOKEN, API keys or IAM users)
 * the platform is open and nothing is checked: local use needs no credentials.
 */
export class Credentials {
  private readonly secrets: Map<string, string>;

  constructor(
    private readonly config: ModelArtsApiConfig,
    private readonly authToken: string | undefined,
    readonly tokens: IamTokens,
  ) {
    this.secrets = new Map(config.accessKeys.map((k) => [k.accessKeyId, k.secretAccessKey]));
  }

  get required(): boolean {
    return this.config.authRequired;
  }

  /** True when the request carries an AK/SK signature (its body must then be read before `check`). */
  static isSigned(authorization: string | undefined): boolean {
    return parseAuthorization(authorization) !== undefined;
  }

  /** The caller of `req`, or an ApiError (401 ModelArts.0201/0202/0203, 403 for another project). */
  check(req: SignedRequest): Caller {
    if (!this.required) return { kind: 'anonymous' };
    this.checkProject(req.headers['x-project-id']);
    const token = req.headers['x-auth-token'];
    if (typeof token === 'string' && token !== '') return this.checkToken(token);
    if (Credentials.isSigned(req.headers.authorization as string | undefined)) return this.checkSignature(req);
    throw new ApiError('unauthorized', 'this call needs credentials: a token in X-Auth-Token (POST /v3/auth/tokens issues one) or an AK/SK signature (SDK-HMAC-SHA256)');
  }

  /** Whether `token` is accepted, and until when: for service instances, which remember the answer. */
  tokenVerdict(token: string): TokenVerdict {
    if (this.authToken !== undefined && secretMatches(token, this.authToken)) return { ok: true, until: Number.MAX_SAFE_INTEGER };
    const found = this.tokens.check(token);
    return found.ok ? { ok: true, until: found.claims.expiresAt } : { ok: false, reason: found.reason };
  }

  checkToken(token: string): Caller {
    if (this.authToken !== undefined && secretMatches(token, this.authToken)) return { kind: 'platform-token' };
    const found = this.tokens.check(token);
    if (found.ok) return { kind: 'iam-token', user: found.claims.user };
    if (found.reason === 'expired') throw new ApiError('token_expired', 'the token in X-Auth-Token has expired; get a new one from POST /v3/auth/tokens');
    throw new ApiError('token_invalid', 'the token in X-Auth-Token is not valid here');
  }

  private checkSignature(req: SignedRequest): Caller {
    const result = verifySdkSignature(req, (ak) => this.secrets.get(ak));
    if (result.ok) return { kind: 'aksk', accessKeyId: result.accessKeyId };
    throw new ApiError(result.reason === 'expired' ? 'token_expired' : 'token_invalid', `AK/SK signature refused: ${result.message}`);
  }

  private checkProject(header: string | string[] | undefined): void {
    if (typeof header === 'string' && header !== '' && header !== this.config.projectId) {
      throw new ApiError('wrong_project', `X-Project-Id ${header} is not this platform's project; its id is ${this.config.projectId}`);
    }
  }

  /** Whether `user` may have a token with `password`; with no IAM users configured and the platform open, anyone may. */
  passwordMatches(user: string, password: string): boolean {
    const known = this.config.iamUsers.find((u) => u.name === user);
    if (known) return secretMatches(password, known.password);
    return this.config.iamUsers.length === 0 && !this.required;
  }
}
