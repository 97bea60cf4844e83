/**
 * A service's HTTP port as one listening socket shared with its instances, as Node's
 * `cluster` shares one without its round-robin master: each serving instance accepts
 * from the socket itself, so a request never waits for a connection to be passed
 * along. The platform accepts only while no instance does (the service is stopped,
 * deploying for the first time, or every instance is down), to answer 503, and for
 * services whose traffic is split by weight, whose connections it hands out itself.
 *
 * The socket outlives every process but the platform's: whenever instances accept, the
 * platform keeps a copy of it that it does not poll (a "spare", sent back by an
 * instance, since a process cannot duplicate a socket of its own), and polls that copy
 * when it must accept again. Closing one copy leaves the socket and its queue of
 * waiting connections to the others.
 */
import net from 'node:net';
import { log } from '../../kernel/log';
import { listenOnFreePort, type PortRange } from '../../kernel/net/port-range';
import type { InstanceProcess, ListenHandle } from './instance-process';

export class SharedPort {
  /** The platform accepting (and answering through `onConnection`). */
  private polling?: net.Server;
  /** An unpolled copy of the socket, kept while instances accept. */
  private spare?: ListenHandle;
  private readonly given = new WeakSet<InstanceProcess>();
  /** Counts take-backs, so that a hand-over that waited for a spare knows it was overtaken. */
  private turn = 0;

  constructor(private readonly onConnection: (socket: net.Socket) => void) {}

  /** Listens on `port` (0, or the port a previous run used; a taken port is replaced by a new one, from `range` when given). */
  async open(host: string, port: number, range?: PortRange): Promise<number> {
    this.polling = await openListener(host, port, this.onConnection, range);
    return (this.polling.address() as net.AddressInfo).port;
  }

  /**
   * From now on `instances` accept on the socket: each gets a copy, and the platform
   * stops accepting once it holds a spare. Resolves when that is done.
   */
  async handTo(instances: readonly InstanceProcess[]): Promise<void> {
    const handle = this.handle();
    if (!handle) return;
    for (const i of instances) {
      if (!this.given.has(i) && i.shareListener(handle)) this.given.add(i);
    }
    // Instances on other machines cannot take the socket: the platform accepts and passes their connections on.
    if (!this.polling || !instances.some((i) => this.given.has(i))) return;
    const turn = this.turn;
    for (const i of instances) {
      const spare = await i.spareListener();
      if (!spare) continue;
      // Taken back meanwhile (the instances left): the platform must go on accepting.
      if (turn !== this.turn) return closeHandle(spare);
      this.spare = spare;
      this.stopPolling();
      return;
    }
    log.warn('no instance sent a copy of its service port back: the platform goes on accepting and passing connections');
  }

  /** The platform accepts again (the instances are leaving, or traffic is split by weight). */
  takeBack(): void {
    this.turn++;
    if (this.polling || !this.spare) return;
    const server = pausedServer(this.onConnection);
    server.listen(this.spare);
    this.polling = server;
    this.spare = undefined;
  }

  close(): void {
    this.stopPolling();
    if (this.spare) closeHandle(this.spare);
    this.spare = undefined;
  }

  private handle(): ListenHandle | undefined {
    return (this.polling as unknown as { _handle?: ListenHandle } | undefined)?._handle ?? this.spare;
  }

  private stopPolling(): void {
    // Connections it accepted live on; only its copy of the socket closes.
    this.polling?.close();
    this.polling = undefined;
  }
}

function closeHandle(handle: ListenHandle): void {
  (handle as { close?: () => void }).close?.();
}

/** A listening port whose connections wait paused for `onConnection`; a taken old port is replaced by a new one. */
export async function openListener(host: string, port: number, onConnection: (socket: net.Socket) => void, range?: PortRange): Promise<net.Server> {
  return listenOnFreePort(range, port, (p) => listen(pausedServer(onConnection), { port: p, host }));
}

function pausedServer(onConnection: (socket: net.Socket) => void): net.Server {
  // noDelay as an http server sets it: the socket goes on to an instance's server
  // without passing its accept path, and Nagle's algorithm would hold back responses.
  return net.createServer({ pauseOnConnect: true, noDelay: true }, onConnection);
}

function listen(server: net.Server, options: net.ListenOptions): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
