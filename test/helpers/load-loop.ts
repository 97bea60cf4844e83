import { predictFile } from './services';

/** One prediction sent under load: where to, when, and how it ended (status 0: no answer). */
export interface Outcome {
  target: string;
  start: number;
  end: number;
  status: number;
  error?: string;
}

/**
 * `clients` concurrent loops per target, each sending `png` again as soon as it has its
 * answer, until stopped. A request gets `timeoutMs` at most: one that hangs counts as failed.
 */
export function startLoad(targets: Record<string, string>, png: Buffer, opts: { clients: number; headers?: Record<string, string>; timeoutMs: number }): { stop(): Promise<Outcome[]> } {
  const outcomes: Outcome[] = [];
  let stopped = false;
  const loop = async (target: string, url: string) => {
    while (!stopped) {
      const start = Date.now();
      const res = await predictFile(url, png, { headers: { ...opts.headers }, signal: AbortSignal.timeout(opts.timeoutMs) }).catch((err: Error & { cause?: Error }) => ({
        status: 0,
        body: `${err.cause?.message ?? err.message}`,
      }));
      const failed = res.status !== 200;
      outcomes.push({ target, start, end: Date.now(), status: res.status, ...(failed ? { error: JSON.stringify(res.body).slice(0, 300) } : {}) });
    }
  };
  const running = Object.entries(targets).flatMap(([target, url]) => Array.from({ length: opts.clients }, () => loop(target, url)));
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(running);
      return outcomes;
    },
  };
}
