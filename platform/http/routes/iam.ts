import Router from '@koa/router';
import type { PlatformContext } from '../../../kernel/context';
import type { Credentials } from '../../auth/credentials';
import { ApiError } from '../../../kernel/errors';
import { readJson } from '../../../kernel/http/body';
import { stringQuery } from '../../../kernel/http/query';

interface TokenRequest {
  auth: {
    identity: { password: { user: { name: string; password: string; domain?: { name?: string } } } };
    scope?: { project?: { name?: string; id?: string } };
  };
}

/** The paths of IAM that need no credentials: asking for a token. */
export function isIamPublic(method: string, path: string): boolean {
  return method === 'POST' && path === '/v3/auth/tokens';
}

/**
 * The part of IAM (Keystone v3) that ModelArts clients use: a token for a user's
 * password, and the project lookup the SDKs make when given no project id.
 */
export function iamRoutes(context: PlatformContext, credentials: Credentials): Router {
  const router = new Router({ prefix: '/v3' });
  const { projectId, projectName } = context.config.modelarts;
  const project = { id: projectId, name: projectName, domain_id: 'modelarts-local', enabled: true, is_domain: false, parent_id: 'modelarts-local', description: '' };

  router.post('/auth/tokens', async (ctx) => {
    const req = context.schemas.parse<TokenRequest>('iam-token', await readJson(ctx));
    const user = req.auth.identity.password.user;
    if (!credentials.passwordMatches(user.name, user.password)) {
      throw new ApiError('unauthorized', 'The username or password is wrong.');
    }
    const scope = req.auth.scope?.project;
    if (scope && scope.id !== projectId && scope.name !== projectName) {
      throw new ApiError('unauthorized', `no project ${scope.id ?? scope.name} here; this platform's project is ${projectName} (id ${projectId})`);
    }
    const { token, claims } = credentials.tokens.issue(user.name, projectId);
    ctx.status = 201;
    ctx.set('X-Subject-Token', token);
    const domain = { id: 'modelarts-local', name: user.domain?.name ?? user.name };
    ctx.body = {
      token: {
        methods: ['password'],
        issued_at: new Date(claims.issuedAt).toISOString(),
        expires_at: new Date(claims.expiresAt).toISOString(),
        user: { id: user.name, name: user.name, domain, password_expires_at: '' },
        project: { id: projectId, name: projectName, domain },
        roles: [{ id: 'modelarts-local-admin', name: 'te_admin' }],
        catalog: [],
      },
    };
  });

  router.get('/projects', (ctx) => {
    const name = stringQuery(ctx, 'name');
    const projects = !name || name === projectName ? [project] : [];
    ctx.body = { projects, links: { self: `${ctx.protocol}://${ctx.host}/v3/projects`, previous: null, next: null } };
  });

  return router;
}
