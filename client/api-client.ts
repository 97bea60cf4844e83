/** The platform's HTTP API as the command line uses it: JSON in and out, errors as messages. */
import type { ClientConfig } from '../kernel/config';
import { TOKEN_HEADER } from '../kernel/http/api-names';

export class ClientError extends Error {}

export class PlatformClient {
  constructor(readonly config: ClientConfig) {}

  get base(): string {
    return this.config.platformUrl;
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.config.authToken ? { [TOKEN_HEADER]: this.config.authToken, ...extra } : extra;
  }

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await this.fetch(this.base + path, {
      method,
      headers: this.headers(body === undefined ? {} : { 'content-type': 'application/json' }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    const parsed = text ? parseJson(text) : undefined;
    if (!res.ok) throw new ClientError(`${method} ${path}: ${res.status} ${describeError(parsed, text)}`);
    return parsed as T;
  }

  /** fetch, with "is the platform running?" instead of a bare network error. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    try {
      return await fetch(url, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new ClientError(`${url} does not answer (${cause}); is the platform running? (PLATFORM_URL=${this.base})`);
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
export function describeError(body: unknown, text: string): string {
  const b = body as { error_msg?: string; error?: string; errors?: { path: string; message: string }[] } | undefined;
  const details = b?.errors?.map((e) => `\n  ${e.path}: ${e.message}`).join('') ?? '';
  return (b?.error_msg ?? b?.error ?? text.slice(0, 500)) + details;
}
