/**
 * Where each connection of an instance came from, for the access check (services/access/instance-guard.ts):
 * the service's port (its shared socket, or handed over by the platform), the control plane's
 * gateway (gateway-connections.ts), or else the instance's own port.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Origin } from '../access/instance-guard';
import { viaGateway } from './gateway-connections';

const fromServicePort = new WeakSet<Socket>();

/** Marks a connection accepted on the service's port. */
export function onServicePort(socket: Socket): Socket {
  fromServicePort.add(socket);
  return socket;
}

export function originOf(req: IncomingMessage): Origin {
  if (viaGateway(req)) return 'gateway';
  return fromServicePort.has(req.socket) ? 'service' : 'own';
}
