/**
 * SERVICE_PORTS: the range services' and instances' ports are taken from, for firewalls and
 * port forwarding; without it the system picks any free port. A port of the range that is
 * taken (by anything) is skipped; a range with no free port left is an error saying so.
 */
export interface PortRange {
  first: number;
  last: number;
}

export class PortsExhausted extends Error {
  constructor(range: PortRange) {
    const n = range.last - range.first + 1;
    super(`no free port is left in SERVICE_PORTS=${formatPortRange(range)} (${n} port${n === 1 ? '' : 's'}, all in use); widen the range or stop a service`);
  }
}

export function formatPortRange(range: PortRange): string {
  return `${range.first}-${range.last}`;
}

/** "30000-30099" (or one port, "30000"); undefined when the text is not a range of valid ports. */
export function parsePortRange(text: string): PortRange | undefined {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(text.trim());
  if (!m) return undefined;
  const first = Number(m[1]);
  const last = Number(m[2] ?? m[1]);
  return first >= 1 && last <= 65535 && first <= last ? { first, last } : undefined;
}

/** Each process walks the range from where it last found a free port, so repeated deploys do not retry the same taken ones. */
let cursor = 0;

/**
 * Listens through `listenAt` on `preferred` when it is a port (a service keeps its address
 * across restarts) and free, else on a free port: any (0) without a range, else the first
 * free one of the range. `listenAt` rejects with EADDRINUSE for a taken port.
 */
export async function listenOnFreePort<T>(range: PortRange | undefined, preferred: number, listenAt: (port: number) => Promise<T>): Promise<T> {
  const inRange = (p: number) => !range || (p >= range.first && p <= range.last);
  if (preferred && inRange(preferred)) {
    const got = await attempt(listenAt, preferred);
    if (got.ok) return got.value;
  }
  if (!range) return listenAt(0);
  const size = range.last - range.first + 1;
  for (let i = 0; i < size; i++) {
    const port = range.first + ((cursor + i) % size);
    const got = await attempt(listenAt, port);
    if (got.ok) {
      cursor = (cursor + i + 1) % size;
      return got.value;
    }
  }
  throw new PortsExhausted(range);
}

async function attempt<T>(listenAt: (port: number) => Promise<T>, port: number): Promise<{ ok: true; value: T } | { ok: false }> {
  try {
    return { ok: true, value: await listenAt(port) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') return { ok: false };
    throw err;
  }
}
