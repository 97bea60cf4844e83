import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import aws4 from 'aws4';
import { STORE_RETRY_DELAYS_MS, type StoreOptions } from '../../kernel/storage/object-client';
import { formatObsUrl, type ObsUrl } from '../../kernel/storage/obs-url';
import { StorageError, type StorageFailure } from '../../kernel/storage/storage-error';

/**
 * The GET of each input and the PUT of each result, the two store calls a batch makes per
 * input, as plain signed HTTP requests on kept-alive connections (aws4 signs them, SigV4
 * with an unsigned payload): the AWS SDK spends about a millisecond of CPU on each call,
 * which the instances need more on a small machine. Failures are StorageErrors with the
 * SDK path's reasons; an unreachable store is retried with the same waits.
 */
export class BatchObjects {
  private readonly endpoint: URL;
  private readonly agent: http.Agent;

  constructor(private readonly options: StoreOptions) {
    this.endpoint = new URL(options.endpoint);
    const Agent = this.endpoint.protocol === 'https:' ? https.Agent : http.Agent;
    this.agent = new Agent({ keepAlive: true, maxSockets: 64 });
  }

  /** The object's bytes; a StorageError 'too_large' past `maxBytes`, 'not_found' when it is not there. */
  async get(url: ObsUrl, maxBytes: number): Promise<Buffer> {
    return this.withRetries(`read ${formatObsUrl(url)}`, () => this.send('GET', url, undefined, undefined, maxBytes));
  }

  async put(url: ObsUrl, body: string, contentType: string): Promise<void> {
    await this.withRetries(`write ${formatObsUrl(url)}`, () => this.send('PUT', url, Buffer.from(body), contentType, 0));
  }

  close(): void {
    this.agent.destroy();
  }

  private async withRetries<T>(what: string, call: () => Promise<T>): Promise<T> {
    const delays = this.options.retryDelaysMs ?? STORE_RETRY_DELAYS_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        return await call();
      } catch (err) {
        const failure = err instanceof StorageError ? err : new StorageError('unavailable', `the object store is unavailable (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
        this.options.onFailure?.(what, failure.reason);
        if (failure.reason !== 'unavailable' || attempt >= delays.length) throw new StorageError(failure.reason, `cannot ${what}: ${failure.message}`);
        await sleep(delays[attempt]);
      }
    }
  }

  private send(method: 'GET' | 'PUT', url: ObsUrl, body: Buffer | undefined, contentType: string | undefined, maxBytes: number): Promise<Buffer> {
    const path = `${this.endpoint.pathname.replace(/\/$/, '')}/${url.bucket}/${url.key.split('/').map(encodeURIComponent).join('/')}`;
    const headers: Record<string, string | number> = { 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', ...(body && { 'Content-Type': contentType ?? 'application/octet-stream', 'Content-Length': body.length }) };
    const signed = aws4.sign({ host: this.endpoint.host, path, method, service: 's3', region: this.options.region, headers }, { accessKeyId: this.options.accessKeyId, secretAccessKey: this.options.secretAccessKey });
    const request = this.endpoint.protocol === 'https:' ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = request({ protocol: this.endpoint.protocol, hostname: this.endpoint.hostname, port: this.endpoint.port, method, path, headers: signed.headers as http.OutgoingHttpHeaders, agent: this.agent }, (res) => {
        const status = res.statusCode ?? 0;
        if (status < 300 && maxBytes && Number(res.headers['content-length']) > maxBytes) {
          res.destroy();
          return reject(new StorageError('too_large', `it is larger than ${maxBytes} bytes`));
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => (status < 300 ? resolve(Buffer.concat(chunks)) : reject(failureOf(status, Buffer.concat(chunks).toString('utf8')))));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
}

function failureOf(status: number, text: string): StorageError {
  const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(status);
  const reason: StorageFailure = status === 404 ? 'not_found' : status === 403 ? 'denied' : status === 507 ? 'full' : status >= 500 ? 'unavailable' : 'other';
  const message = reason === 'not_found' ? 'it does not exist' : reason === 'full' ? `the object store is out of space (${code})` : `the object store answered ${status} ${code}`;
  return new StorageError(reason, message);
}
