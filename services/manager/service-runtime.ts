import http from 'node:http';
import net from 'node:net';
import { ApiError } from '../../kernel/errors';
import { errorResponse, tfServingErrorResponse } from '../../kernel/http/render-error';
import { isTfServingPath } from '../tf_serving/rest-api';
import type { ConnectionKind } from '../instance/protocol';
import type { InstanceProcess } from './instance-process';
import { unavailableGrpc } from './grpc-unavailable';
import type { PortRange } from '../../kernel/net/port-range';
import { TrafficSplit } from './traffic-split';
import { openListener, SharedPort } from './shared-port';
import { newInstanceKey } from './instance-set';
import { log } from '../../kernel/log';
import { GATEWAY_PREFIX } from '../../kernel/http/api-names';

/** Where the gateway relays to one instance (its own port's host:port), the key it adds, and what says the instance is gone. */
export interface InstanceTarget {
  address: string;
  key: string;
  lost: AbortSignal;
}

/** Which model's instances take how much of the traffic, and which model an instance serves. */
export interface TrafficPlan {
  weights: ReadonlyMap<string, number>;
  modelOf(instance: InstanceProcess): string | undefined;
}

/**
 * The live side of one service: the ports behind its access_address (HTTP) and its
 * grpc_address (TF Serving's gRPC API), and the instances that currently take its
 * traffic. The HTTP port's socket is shared with the serving instances, which accept
 * from it themselves (shared-port.ts); when traffic is split among models by weight,
 * the platform accepts and hands each connection to an instance of the model whose
 * turn it is, as it does for the gRPC port. While no instance serves, the ports
 * answer 503 / UNAVAILABLE themselves, so the addresses stay the same across
 * redeploys, stops and restarts.
 */
export class ServiceRuntime {
  private port?: SharedPort;
  private grpcListener?: net.Server;
  private serving: InstanceProcess[] = [];
  private next = 0;
  private split?: { plan: TrafficPlan; models: TrafficSplit; turns: Map<string, number> };
  private readonly unavailable: http.Server;
  private readonly grpcUnavailable = unavailableGrpc(() => this.unavailableMessage);
  private unavailableMessage = 'the service is not running';
  private portNumber = 0;
  /** The key the gateway adds to what it relays to this service's instances; never stored, new each run. */
  readonly instanceKey = newInstanceKey();

  /** `admit` resolves when a caller of the service's port may be told more than 401 (the same check as its instances'). */
  constructor(
    readonly serviceId: string,
    admit: (req: http.IncomingMessage) => Promise<void> = async () => undefined,
  ) {
    this.unavailable = http.createServer((req, res) => {
      const render = isTfServingPath(req.url ?? '') ? tfServingErrorResponse : errorResponse;
      void admit(req)
        .then(() => new ApiError('predict_unavailable', this.unavailableMessage), (refused: unknown) => refused)
        .then((err) => {
          const { status, body } = render(err);
          const text = JSON.stringify(body);
          res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), Connection: 'close' });
          res.end(text);
          req.resume();
        });
    });
  }

  /** Listens on `port` (0, or the port a previous run used); returns the port it got. */
  async listen(host: string, port: number, range?: PortRange): Promise<number> {
    if (!this.port) {
      const shared = new SharedPort((socket) => this.route(socket, 'connection'));
      this.portNumber = await shared.open(host, port, range);
      this.port = shared;
    }
    return this.portNumber;
  }

  /** The same for the gRPC port. */
  async listenGrpc(host: string, port: number, range?: PortRange): Promise<number> {
    this.grpcListener ??= await openListener(host, port, (socket) => this.route(socket, 'grpc-connection'), range);
    return (this.grpcListener.address() as net.AddressInfo).port;
  }

  private route(socket: net.Socket, kind: ConnectionKind): void {
    if (this.split) {
      if (this.routeWeighted(socket, kind)) return;
    } else {
      for (let tries = 0; tries < this.serving.length; tries++) {
        const instance = this.serving[this.next++ % this.serving.length];
        if (instance.handOff(socket, { type: kind })) return;
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
      if (instance.handOff(socket, { type: kind })) return true;
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

  /**
   * A connection whose first request came to the gateway for this service, passed with
   * the bytes read from it to an instance in turn. Not for services whose traffic is
   * split by weight: their requests are split one by one, through the gateway's proxy.
   */
  handOffGateway(id: string, socket: net.Socket, head: Buffer): boolean {
    if (this.split) return false;
    const message = { type: 'gateway-connection' as const, prefix: `${GATEWAY_PREFIX}${encodeURIComponent(id)}`, head: head.toString('latin1'), platform: hostPort(socket.localAddress ?? '127.0.0.1', socket.localPort ?? 0) };
    for (let tries = 0; tries < this.serving.length; tries++) {
      if (this.serving[this.next++ % this.serving.length].handOff(socket, message)) return true;
    }
    return false;
  }

  /** The instances that take new traffic from now on; with a plan, split among models by weight. */
  serve(instances: InstanceProcess[], unavailableMessage?: string, plan?: TrafficPlan | null): void {
    this.serving = instances;
    if (plan === null || (plan && plan.weights.size < 2)) this.split = undefined;
    else if (plan) this.split = { plan, models: new TrafficSplit(plan.weights), turns: new Map() };
    if (unavailableMessage) this.unavailableMessage = unavailableMessage;
    if (instances.length) this.grpcUnavailable.release();
    if (!instances.length || this.split) this.port?.takeBack();
    else void this.port?.handTo(instances).catch((err) => log.warn(`service ${this.serviceId}: its port could not be shared with its instances`, err));
  }

  get instances(): readonly InstanceProcess[] {
    return this.serving;
  }

  /** One serving instance's own port, for the gateway, with the key it adds there. */
  pickAddress(): InstanceTarget | undefined {
    const ready = this.serving.filter((i) => i.ready);
    if (!ready.length) return undefined;
    const instance = this.split ? this.pickWeighted(ready)! : ready[this.next++ % ready.length];
    return { address: instance.address!, key: this.instanceKey, lost: instance.gone.signal };
  }

  get unavailableReason(): string {
    return this.unavailableMessage;
  }

  async close(): Promise<void> {
    this.serving = [];
    // Handed-off connections still count as the listeners', so their close callbacks
    // would wait for the instances' clients: the ports are released now instead.
    this.port?.close();
    this.grpcListener?.close();
    this.port = undefined;
    this.grpcListener = undefined;
    this.unavailable.closeAllConnections();
    this.grpcUnavailable.close();
  }
}

function hostPort(address: string, port: number): string {
  const host = address.startsWith('::ffff:') ? address.slice(7) : address;
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
