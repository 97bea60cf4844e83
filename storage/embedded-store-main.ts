/** Child-process entry of the embedded object store (see embedded-store.ts). */
import { startS3Server, S3ServerOptions } from '@modelarts-local/s3-server';
import { exitWithParent, sendFatal, sendReady } from '../kernel/process/child-side';

export type EmbeddedStoreOptions = Omit<S3ServerOptions, 'maxObjectBytes'>;

export interface EmbeddedStoreInfo {
  endpoint: string;
  port: number;
}

async function main(): Promise<void> {
  const options = JSON.parse(process.env.MA_EMBEDDED_STORE ?? '{}') as EmbeddedStoreOptions;
  const server = await startS3Server(options);
  exitWithParent(() => server.close());
  process.on('SIGTERM', () => void server.close().finally(() => process.exit(0)));
  sendReady<EmbeddedStoreInfo>({ endpoint: server.endpoint, port: server.port });
}

main().catch(sendFatal);
