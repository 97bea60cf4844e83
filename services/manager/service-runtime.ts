import http from 'node:http';
import net from 'node:net';
import { ApiError, errorResponse } from '../../platform/errors';
import type { InstanceProcess } from './instance-process';

/**
 * The live side of one service: the port behind its access_address, and the
 * instances that currently take its traffic. Connections on the port are handed to
 * the instances in turn; while none is ready, the port answers 503 itself, so the
 * address stays the same across redeploys, stops and restarts.
 */
export class ServiceRuntime {
  private listener?: net.Server;
  private serving: InstanceProcess[] = [];
  private next = 0;
  private readonly unavailable: http.Server;
  private unavailableMessage = 'the service is not running';

  constructor(readonly serviceId: string) {
    this.unavailable = http.createServer((req, res) => {
      const { status, body } = errorResponse(new ApiError('predict_unavailable', this.unavailableMessage));
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
      res.end(text);
      req.resume();
    });
  }

  /** Listens on `port` (0, or the port a previous run used); returns the port it got. */
  async listen(host: string, port: number): Promise<number> {
    if (this.listener) return (this.listener.address() as net.AddressInfo).port;
    const tryListen = (p: number) =>
      new Promise<net.Server>((resolve, reject) => {
        const server = net.createServer({ pauseOnConnect: true }, (socket) => this.route(socket));
        server.once('error', reject);
        server.listen(p, host, () => {
          server.off('error', reject);
          resolve(server);
        });
      });
    try {
      this.listener = await tryListen(port);
    } catch (err) {
      // The old port is taken by someone else now: take a new one rather than fail.
      if (port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      this.listener = await tryListen(0);
    }
    return (this.listener.address() as net.AddressInfo).port;
  }

  private route(socket: net.Socket): void {
    for (let tries = 0; tries < this.serving.length; tries++) {
      const instance = this.serving[this.next++ % this.serving.length];
      if (instance.handOff(socket)) return;
    }
    this.unavailable.emit('connection', socket);
    socket.resume();
  }

  /** The instances that take new traffic from now on. */
  serve(instances: InstanceProcess[], unavailableMessage?: string): void {
    this.serving = instances;
    if (unavailableMessage) this.unavailableMessage = unavailableMessage;
  }

  get instances(): readonly InstanceProcess[] {
    return this.serving;
  }

  /** Addresses of the serving instances' own ports, for the gateway. */
  pickAddress(): string | undefined {
    const ready = this.serving.filter((i) => i.ready);
    if (!ready.length) return undefined;
    const instance = ready[this.next++ % ready.length];
    return `127.0.0.1:${instance.ready!.port}`;
  }

  get unavailableReason(): string {
    return this.unavailableMessage;
  }

  async close(): Promise<void> {
    this.serving = [];
    const listener = this.listener;
    this.listener = undefined;
    // Handed-off connections still count as the listener's, so its close callback
    // would wait for the instances' clients: the port is released now instead.
    listener?.close();
    this.unavailable.closeAllConnections();
  }
}
