import http from 'node:http';
import net from 'node:net';
import { ApiError, errorResponse, tfServingErrorResponse } from '../../platform/errors';
import { isTfServingPath } from '../tf_serving/rest-api';
import type { ConnectionKind } from '../instance/protocol';
import type { InstanceProcess } from './instance-process';
import { unavailableGrpc } from './grpc-unavailable';
import { TrafficSplit } from './traffic-split';

/** Which model's instances take how much of the traffic, and which model an instance serves. */
export interface TrafficPlan {
  weights: ReadonlyMap<string, number>;
  modelOf(instance: InstanceProcess): string | undefined;
}

/**
 * The live side of one service: the ports behind its access_address (HTTP) and its
 * grpc_address (TF Serving's gRPC API), and the instances that currently take its
 * traffic. Connections on either port are handed to the instances in turn; while none
 * is ready, the ports answer 503 / UNAVAILABLE themselves, so the addresses stay the
 * same across redeploys, stops and restarts.
 */
export class ServiceRuntime {
  private listener?: net.Server;
  private grpcListener?: net.Server;
  private serving: InstanceProcess[] = [];
  private next = 0;
  private split?: { plan: TrafficPlan; models: TrafficSplit; turns: Map<string, number> };
  private readonly unavailable: http.Server;
  private readonly grpcUnavailable = unavailableGrpc(() => this.unavailableMessage);
  private unavailableMessage = 'the service is not running';

  constructor(readonly serviceId: string) {
    this.unavailable = http.createServer((req, res) => {
      const render = isTfServingPath(req.url ?? '') ? tfServingErrorResponse : errorResponse;
      const { status, body } = render(new ApiError('predict_unavailable', this.unavailableMessage));
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
      res.end(text);
      req.resume();
    });
  }

  /** Listens on `port` (0, or the port a previous run used); returns the port it got. */
  async listen(host: string, port: number): Promise<number> {
    this.listener ??= await openPort(host, port, (socket) => this.route(socket, 'connection'));
    return (this.listener.address() as net.AddressInfo).port;
  }

  /** The same for the gRPC port. */
  async listenGrpc(host: string, port: number): Promise<number> {
    this.grpcListener ??= await openPort(host, port, (socket) => this.route(socket, 'grpc-connection'));
    return (this.grpcListener.address() as net.AddressInfo).port;
  }

  private route(socket: net.Socket, kind: ConnectionKind): void {
    if (this.split) {
      if (this.routeWeighted(socket, kind)) return;
    } else {
      for (let tries = 0; tries < this.serving.length; tries++) {
        const instance = this.serving[this.next++ % this.serving.length];
        if (instance.handOff(socket, kind)) return;
      }
    }
    if (kind === 'grpc-connection') this.grpcUnavailable.inject(socket);
    else this.unavailable.emit('connection', socket);
    socket.resume();
  }

  /** Each connection goes to a model by weight, then to that model's instances in turn. */
  private routeWeighted(socket: net.Socket, kind: ConnectionKind): boolean {
    let candidates = this.serving;
    while (candidates.length) {
      const instance = this.pickWeighted(candidates)!;
      if (instance.handOff(socket, kind)) return true;
      candidates = candidates.filter((i) => i !== instance);
    }
    return false;
  }

  private pickWeighted(candidates: readonly InstanceProcess[]): InstanceProcess | undefined {
    const { plan, models, turns } = this.split!;
    const model = models.next((key) => candidates.some((i) => plan.modelOf(i) === key));
    const group = candidates.filter((i) => plan.modelOf(i) === model);
    if (!group.length) return candidates[this.next++ % candidates.length];
    const turn = turns.get(model!) ?? 0;
    turns.set(model!, turn + 1);
    return group[turn % group.length];
  }

  /** The instances that take new traffic from now on; with a plan, split among models by weight. */
  serve(instances: InstanceProcess[], unavailableMessage?: string, plan?: TrafficPlan | null): void {
    this.serving = instances;
    if (plan === null || (plan && plan.weights.size < 2)) this.split = undefined;
    else if (plan) this.split = { plan, models: new TrafficSplit(plan.weights), turns: new Map() };
    if (unavailableMessage) this.unavailableMessage = unavailableMessage;
    if (instances.length) this.grpcUnavailable.release();
  }

  get instances(): readonly InstanceProcess[] {
    return this.serving;
  }

  /** Addresses of the serving instances' own ports, for the gateway. */
  pickAddress(): string | undefined {
    const ready = this.serving.filter((i) => i.ready);
    if (!ready.length) return undefined;
    const instance = this.split ? this.pickWeighted(ready)! : ready[this.next++ % ready.length];
    return `127.0.0.1:${instance.ready!.port}`;
  }

  get unavailableReason(): string {
    return this.unavailableMessage;
  }

  async close(): Promise<void> {
    this.serving = [];
    // Handed-off connections still count as the listeners', so their close callbacks
    // would wait for the instances' clients: the ports are released now instead.
    this.listener?.close();
    this.grpcListener?.close();
    this.listener = undefined;
    this.grpcListener = undefined;
    this.unavailable.closeAllConnections();
    this.grpcUnavailable.close();
  }
}

/** A listening port whose connections wait paused for `onConnection`; a taken old port is replaced by a new one. */
async function openPort(host: string, port: number, onConnection: (socket: net.Socket) => void): Promise<net.Server> {
  const tryListen = (p: number) =>
    new Promise<net.Server>((resolve, reject) => {
      // noDelay as an http server sets it: the socket goes on to an instance's server
      // without passing its accept path, and Nagle's algorithm would hold back responses.
      const server = net.createServer({ pauseOnConnect: true, noDelay: true }, onConnection);
      server.once('error', reject);
      server.listen(p, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  try {
    return await tryListen(port);
  } catch (err) {
    if (port === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    return tryListen(0);
  }
}
