/**
 * The platform's side of the node links: launches waiting for their nodes, and the HTTP
 * upgrades nodes open on the control plane's port. A node is admitted only with the id and
 * secret of a launch that is still open (constant-time comparison); anything else gets 401.
 */
import type { IncomingMessage } from 'node:http';
import type net from 'node:net';
import { ApiError } from '../errors';
import { errorResponse } from '../http/render-error';
import { secretMatches } from '../util/secret';
import { Channel } from './channel';
import { LAUNCH_HEADER, LAUNCH_SECRET_HEADER, NODE_LINK_PATH, NODE_LINK_PROTOCOL, newLaunch } from './node-link';

/** A launch whose nodes may connect until it is closed. */
export interface OpenLaunch {
  launch: string;
  secret: string;
  close(): void;
}

export class ChannelHub {
  private readonly launches = new Map<string, { secret: string; onChannel: (channel: Channel) => void }>();

  constructor(readonly silenceMs: number) {}

  /** A new launch: each node that connects with its id and secret is given to `onChannel`. */
  open(onChannel: (channel: Channel) => void): OpenLaunch {
    const { launch, secret } = newLaunch();
    this.launches.set(launch, { secret, onChannel });
    return { launch, secret, close: () => this.launches.delete(launch) };
  }

  /** An HTTP upgrade on the control plane's port; false when it is not a node link (someone else's). */
  accept(req: IncomingMessage, socket: net.Socket, head: Buffer): boolean {
    if ((req.url ?? '').split('?')[0] !== NODE_LINK_PATH) return false;
    const id = req.headers[LAUNCH_HEADER];
    const launch = typeof id === 'string' ? this.launches.get(id) : undefined;
    if (String(req.headers.upgrade).toLowerCase() !== NODE_LINK_PROTOCOL || !launch || !secretMatches(req.headers[LAUNCH_SECRET_HEADER], launch.secret)) {
      refuse(socket, 'this link is for the nodes of a launch that is open, with its id and secret');
      return true;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${NODE_LINK_PROTOCOL}\r\nConnection: Upgrade\r\n\r\n`);
    if (head.length) socket.unshift(head);
    launch.onChannel(new Channel(socket, this.silenceMs));
    return true;
  }
}

function refuse(socket: net.Socket, message: string): void {
  const body = JSON.stringify(errorResponse(new ApiError('unauthorized', message)).body);
  socket.end(`HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
