import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { Region } from '@huaweicloud/huaweicloud-sdk-core/region/region';
import log4js from 'log4js';

// The SDK prints every error answer through log4js; tests look at the answers themselves.
log4js.configure({ appenders: { out: { type: 'stdout' } }, categories: { default: { appenders: ['out'], level: 'off' } } });

/** What a call through Huawei Cloud's SDK answered: the status and the body, or the SDK's error. */
export interface SdkAnswer<T = any> {
  status: number;
  body: T;
  error?: { code: string; message: string };
}

export interface SdkClientOptions {
  endpoint: string;
  ak: string;
  sk: string;
  /** Without it, the SDK asks IAM (`GET /v3/projects?name=<region>`) at `iamEndpoint` for the project id. */
  projectId?: string;
  region?: string;
}

/**
 * A client made with Huawei Cloud's own SDK core (huaweicloud-sdk-core, the base of
 * every service SDK): its builder, credentials, AK/SK signer and HTTP client, so every
 * request is signed and sent exactly as `ModelArtsClient` would send it.
 */
export class SdkClient {
  private readonly client: HcClient;

  constructor(o: SdkClientOptions) {
    const credentials = new BasicCredentials().withAk(o.ak).withSk(o.sk).withIamEndpoint(o.endpoint);
    if (o.projectId) credentials.withProjectId(o.projectId);
    let builder = new ClientBuilder((c: HcClient) => c).withCredential(credentials);
    builder = o.region ? builder.withRegion(new Region(o.region, o.endpoint)) : builder.withEndpoint(o.endpoint);
    this.client = builder.build();
  }

  async call<T = any>(method: string, url: string, opts: { body?: unknown; query?: Record<string, string | number>; headers?: Record<string, string> } = {}): Promise<SdkAnswer<T>> {
    try {
      const res = await this.client.sendRequest({
        method,
        url,
        contentType: 'application/json',
        queryParams: opts.query ?? {},
        pathParams: {},
        headers: { ...opts.headers },
        ...(opts.body !== undefined && { data: opts.body as Record<string, unknown> }),
      });
      const { httpStatusCode, ...body } = res as Record<string, unknown> & { httpStatusCode: number };
      return { status: httpStatusCode, body: body as T };
    } catch (err) {
      const e = err as { httpStatusCode?: number; errorCode?: string; errorMsg?: string; message?: string };
      if (e.httpStatusCode === undefined) throw err;
      return { status: e.httpStatusCode, body: undefined as T, error: { code: String(e.errorCode ?? ''), message: String(e.errorMsg ?? e.message ?? '') } };
    }
  }
}

/** The headers Huawei's AKSKSigner adds to a request, for requests sent by hand. */
export function signHeaders(o: { method: string; url: string; ak: string; sk: string; body?: unknown; headers?: Record<string, string>; query?: Record<string, string> }): Record<string, string> {
  const credentials = new BasicCredentials().withAk(o.ak).withSk(o.sk);
  const request = { method: o.method, endpoint: o.url, headers: { ...o.headers }, queryParams: o.query ?? {}, data: o.body };
  return AKSKSigner.sign(request as never, credentials) as Record<string, string>;
}

/** IAM's password body for `POST /v3/auth/tokens`. */
export function passwordBody(user: string, password: string, project = 'cn-north-4'): unknown {
  return { auth: { identity: { methods: ['password'], password: { user: { name: user, password, domain: { name: user } } } }, scope: { project: { name: project } } } };
}

/** A token for `user` from the platform's IAM. */
export async function iamToken(base: string, user: string, password: string): Promise<string> {
  const res = await fetch(`${base}/v3/auth/tokens`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(passwordBody(user, password)) });
  const token = res.headers.get('x-subject-token');
  if (res.status !== 201 || !token) throw new Error(`no token: ${res.status} ${await res.text()}`);
  return token;
}
