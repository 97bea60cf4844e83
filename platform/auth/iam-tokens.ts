import crypto from 'node:crypto';
import { DocStore } from '../../kernel/records/doc-store';

export interface TokenClaims {
  user: string;
  projectId: string;
  issuedAt: number;
  expiresAt: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

interface KeyDoc {
  id: string;
  key: string;
}

// IAM tokens are long opaque strings starting with "MII"; ours look alike.
const PREFIX = 'MII';

/**
 * Tokens that `POST /v3/auth/tokens` issues: the claims, signed with a key kept in the
 * platform's metadata, so tokens stay valid across restarts until they expire and
 * nothing else needs storing.
 */
export class IamTokens {
  private readonly store: DocStore<KeyDoc>;
  private key = Buffer.alloc(0);

  constructor(metaDir: string, private readonly ttlSeconds: number) {
    this.store = new DocStore<KeyDoc>(metaDir, 'iam');
  }

  async start(): Promise<void> {
    await this.store.load();
    let doc = this.store.get('token-key');
    if (!doc) {
      doc = { id: 'token-key', key: crypto.randomBytes(32).toString('base64') };
      await this.store.create(doc);
    }
    this.key = Buffer.from(doc.key, 'base64');
  }

  issue(user: string, projectId: string, now = Date.now()): { token: string; claims: TokenClaims } {
    const claims: TokenClaims = { user, projectId, issuedAt: now, expiresAt: now + this.ttlSeconds * 1000 };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${PREFIX}${payload}.${this.mac(payload)}`, claims };
  }

  check(token: string, now = Date.now()): TokenCheck {
    const dot = token.lastIndexOf('.');
    if (!token.startsWith(PREFIX) || dot === -1) return { ok: false, reason: 'invalid' };
    const payload = token.slice(PREFIX.length, dot);
    const given = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.mac(payload));
    if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
    return claims.expiresAt <= now ? { ok: false, reason: 'expired' } : { ok: true, claims };
  }

  private mac(payload: string): string {
    return crypto.createHmac('sha256', this.key).update(payload).digest('base64url');
  }
}
