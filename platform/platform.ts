import fsp from 'node:fs/promises';
import type { PlatformConfig } from '../kernel/config';
import type { PlatformContext } from '../kernel/context';
import { log } from '../kernel/log';
import type { EmbeddedStore } from '../storage/embedded-store';
import { buildAreas } from './areas';
import { createContext, type Cleanups } from './context-setup';
import { closeServer, createFrontServer, listenInFront } from './front-server';
import type { RouteEntry } from './http/openapi/control-plane-document';

export interface Platform {
  url: string;
  port: number;
  context: PlatformContext;
  /** The embedded object store, when no OBS_ENDPOINT is set. */
  embedded?: EmbeddedStore;
  /** Every method and path the control plane's routers answer (the gateways aside). */
  routes: RouteEntry[];
  close(): Promise<void>;
}

/**
 * The composition root: the context (object store, compute), the areas built and
 * started on it, and the one HTTP server in front. What started is stopped in reverse
 * order on close, or at once when a later step of the start-up fails.
 */
export async function startPlatform(config: PlatformConfig): Promise<Platform> {
  await fsp.mkdir(config.dataDir, { recursive: true });
  const cleanups: Cleanups = [];
  try {
    const { context, embedded } = await createContext(config, cleanups);
    const wired = await buildAreas(context);
    for (const area of wired.areas) {
      await area.start?.();
      cleanups.push(async () => area.stop?.());
    }
    const { server, routes } = createFrontServer(context, wired);
    const front = await listenInFront(server, context, wired);
    cleanups.push(() => closeServer(front, server));
    const port = (front.address() as { port: number }).port;
    const shownHost = config.host.includes(':') ? `[${config.host}]` : config.host;
    return { url: `http://${shownHost}:${port}`, port, context, embedded, routes, close: () => runCleanups(cleanups) };
  } catch (err) {
    await runCleanups(cleanups);
    throw err;
  }
}

async function runCleanups(cleanups: Cleanups): Promise<void> {
  for (const fn of cleanups.reverse()) {
    await fn().catch((err) => log.warn('error while shutting down', err));
  }
  cleanups.length = 0;
}
