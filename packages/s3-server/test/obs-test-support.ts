import ObsClient from 'esdk-obs-nodejs';
import { lookup } from 'node:dns';
import { Agent, type ClientRequest, request } from 'node:http';
import type { LookupFunction } from 'node:net';
import { ACCESS_KEY, SECRET_KEY } from './s3-test-support';

/**
 * `*.localhost` names the loopback interface (RFC 6761) and systemd-resolved and browsers
 * resolve it so; glibc's resolver does not. This agent does what such a resolver does, for
 * the OBS SDK's virtual-host requests to `<bucket>.localhost`.
 */
export class LocalhostAgent extends Agent {
  /** `METHOD host/path?query scheme` of each request sent (host without port), to see what the SDK negotiated and signed with. */
  readonly sent: string[] = [];

  constructor() {
    const resolve = ((hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
      if (!hostname.endsWith('.localhost')) return lookup(hostname, options, callback as never);
      if (options?.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
      else callback(null, '127.0.0.1', 4);
    }) as unknown as LookupFunction;
    super({ keepAlive: true, lookup: resolve } as ConstructorParameters<typeof Agent>[0]);
  }

  /** Agent's hook for every request it carries (undocumented, but what every agent implements). */
  addRequest(req: ClientRequest, options: unknown): void {
    const scheme = String(req.getHeader('authorization') ?? 'unsigned').split(' ')[0];
    const host = String(req.getHeader('host') ?? '').replace(/:\d+$/, '');
    this.sent.push(`${req.method} ${host}${req.path} ${scheme}`);
    (Agent.prototype as unknown as { addRequest: (r: ClientRequest, o: unknown) => void }).addRequest.call(this, req, options);
  }
}

export interface ObsMode {
  name: string;
  options: (port: number, agent: Agent) => ConstructorParameters<typeof ObsClient>[0];
}

/** The SDK as users configure it: its default (virtual-host, signature negotiation), OBS signing, V2 path-style. */
export const OBS_MODES: ObsMode[] = [
  {
    name: 'default mode (negotiates the OBS protocol)',
    options: (port, agent) => ({ access_key_id: ACCESS_KEY, secret_access_key: SECRET_KEY, server: `http://localhost:${port}`, http_agent: agent }),
  },
  {
    name: "signature: 'obs'",
    options: (port, agent) => ({
      access_key_id: ACCESS_KEY,
      secret_access_key: SECRET_KEY,
      server: `http://localhost:${port}`,
      signature: 'obs',
      http_agent: agent,
    }),
  },
  {
    name: "signature: 'v2', path_style: true",
    options: (port) => ({
      access_key_id: ACCESS_KEY,
      secret_access_key: SECRET_KEY,
      server: `http://127.0.0.1:${port}`,
      signature: 'v2',
      path_style: true,
    }),
  },
];

/** The SDK finishes its set-up asynchronously; it is usable a tick after construction. */
export async function obsClient(options: ConstructorParameters<typeof ObsClient>[0]): Promise<ObsClient> {
  const client = new ObsClient({ max_retry_count: 0, ...options });
  await new Promise((resolve) => setTimeout(resolve, 20));
  return client;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTP request to the store on 127.0.0.1, whatever host the URL names (a `<bucket>.localhost` one). */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<RawResponse> {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: options.method ?? 'GET',
        path: target.pathname + target.search,
        headers: { Host: target.host, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** The `<Code>` of an S3/OBS error document. */
export function errorCode(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}
