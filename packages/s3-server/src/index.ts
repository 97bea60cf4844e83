import type { AddressInfo } from 'node:net';
import { MultipartStore } from './fs-multipart';
import { FsStore } from './fs-store';
import { CLOSE_GRACE_MS, DEFAULT_MAX_OBJECT_BYTES } from './limits';
import { createS3HttpServer } from './server';

export interface S3ServerOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  /** Largest object accepted, in bytes; 5 GiB by default. */
  maxObjectBytes?: number;
}

export interface S3ServerHandle {
  /** `http://host:port`, for path-style S3 clients. */
  endpoint: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts the embedded S3-compatible server on a data directory, recovering whatever a
 * previous process left behind when it was killed.
 */
export async function startS3Server(opts: S3ServerOptions): Promise<S3ServerHandle> {
  if (!opts.accessKeyId || !opts.secretAccessKey) throw new Error('startS3Server needs an access key id and a secret access key');
  const maxObjectBytes = opts.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
  const store = await FsStore.open(opts.dataDir);
  const multipart = await MultipartStore.open(store, maxObjectBytes);
  const server = createS3HttpServer({
    store,
    multipart,
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    region: opts.region,
    maxObjectBytes,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  return {
    endpoint: `http://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeIdleConnections();
        // Requests still running after the grace period are cut; their staged files are
        // discarded when the store is next opened.
        setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
      }),
  };
}
