/**
 * The platform's HTTP API as its clients use it — the command line, the samples and the
 * tests: JSON in and out, errors as messages, and waiting for jobs and services to settle.
 * It speaks HTTP only; nothing of the platform's code is imported.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClientConfig } from '../kernel/config';
import { TOKEN_HEADER } from '../kernel/http/api-names';
import { PlatformError } from '../kernel/errors';

export class ClientError extends PlatformError {}

export type Json = Record<string, any>;

/** Any answer, whatever its status: the body parsed as JSON when it is JSON, else its text. */
export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ClientOptions {
  /** X-Auth-Token on every call (the platform's AUTH_TOKEN, or an IAM token). */
  token?: string;
  /** Headers every call sends unless the call sets them itself. */
  headers?: Record<string, string>;
  /** What a network failure should suggest (e.g. "PLATFORM_URL=…"). */
  hint?: string;
}

const POLL_MS = 250;

export class PlatformClient {
  constructor(
    readonly base: string,
    private readonly options: ClientOptions = {},
    /** The command line's settings (object-store keys), when it made this client. */
    readonly config?: ClientConfig,
  ) {}

  static fromConfig(config: ClientConfig): PlatformClient {
    return new PlatformClient(config.platformUrl, { token: config.authToken, hint: `PLATFORM_URL=${config.platformUrl}` }, config);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    const token: Record<string, string> = this.options.token ? { [TOKEN_HEADER]: this.options.token } : {};
    return { ...token, ...this.options.headers, ...extra };
  }

  /** One call, answered with any status. A string body is sent as it is; anything else as JSON. */
  async call<T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiResponse<T>> {
    const init: RequestInit = { method, headers: this.headers(headers) };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      (init.headers as Record<string, string>)['content-type'] ??= 'application/json';
    }
    const res = await this.fetch(this.base + path, init);
    const text = await res.text();
    return { status: res.status, body: (text ? parseJson(text) : undefined) as T, headers: res.headers };
  }

  /** One call that must succeed (2xx): its body; otherwise a ClientError with the platform's message. */
  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.call<T>(method, path, body);
    if (res.status >= 300) throw new ClientError(`${method} ${path}: ${res.status} ${describeError(res.body, res.body)}`);
    return res.body;
  }

  /** fetch, with "is the platform running?" instead of a bare network error. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ClientError(`${url} does not answer (${cause}); is the platform running?${this.options.hint ? ` (${this.options.hint})` : ''}`);
    }
  }

  /** The job once the version (default: its newest) is terminal, as the API says. */
  async waitForJob(id: string, version?: string, intervalMs = POLL_MS): Promise<Json> {
    for (;;) {
      const job = await this.request<Json>('GET', `/training-jobs/${encodeURIComponent(id)}`);
      const v = version ? job.versions.find((x: Json) => x.version === version) : job.versions[job.versions.length - 1];
      if (v?.terminal) return job;
      await sleep(intervalMs);
    }
  }

  /** The service once no deploy or stop is under way and `until` holds (default: nothing more). */
  async waitForService(id: string, until: (s: Json) => boolean = () => true, intervalMs = POLL_MS): Promise<Json> {
    for (;;) {
      const s = await this.request<Json>('GET', `/services/${encodeURIComponent(id)}`);
      if (s.terminal && until(s)) return s;
      await sleep(intervalMs);
    }
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The message of any of the platform's error bodies: ModelArts', TF Serving's, or plain text. */
export function describeError(body: unknown, text: unknown): string {
  const b = body as { error_msg?: string; error?: string; errors?: { path: string; message: string }[] } | undefined;
  const details = b?.errors?.map((e) => `\n  ${e.path}: ${e.message}`).join('') ?? '';
  const raw = typeof text === 'string' ? text : JSON.stringify(text ?? '');
  return (b?.error_msg ?? b?.error ?? raw.slice(0, 500)) + details;
}
