/**
 * Connections the platform passed on from its gateway (`/v1/infers/<id>/…`): their
 * requests come with that prefix, which is taken off; a request for anything else (the
 * control plane's API, another service) is sent back to the platform as it is, marked
 * so that the platform answers it itself.
 */
import http, { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { VIA_INSTANCE_HEADER } from '../gateway/gateway-handoff';
import { sendError } from '../../kernel/http/render-error';
import { ApiError } from '../../kernel/errors';

interface Origin {
  prefix: string;
  platform: string;
}

const origins = new WeakMap<Socket, Origin>();
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** Serves a passed connection: the bytes the platform read from it first, then the rest. */
export function acceptGatewayConnection(server: http.Server, socket: Socket, origin: Origin & { head: string }): void {
  origins.set(socket, { prefix: origin.prefix, platform: origin.platform });
  socket.unshift(Buffer.from(origin.head, 'latin1'));
  server.emit('connection', socket);
  socket.resume();
}

/** Whether the request came on a connection the gateway passed on. */
export function viaGateway(req: IncomingMessage): boolean {
  return origins.has(req.socket);
}

/**
 * For a request on a gateway connection: its URL without the gateway's prefix; false when
 * the request is not for this service, and has been sent back to the platform.
 */
export function ownRequest(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = origins.get(req.socket);
  if (!origin) return true;
  const url = req.url ?? '/';
  const rest = url.startsWith(origin.prefix) ? url.slice(origin.prefix.length) : undefined;
  if (rest !== undefined && (rest === '' || rest.startsWith('/') || rest.startsWith('?'))) {
    req.url = rest.startsWith('/') ? rest : `/${rest}`;
    return true;
  }
  sendBack(req, res, origin.platform);
  return false;
}

function sendBack(req: IncomingMessage, res: ServerResponse, platform: string): void {
  const separator = platform.lastIndexOf(':');
  const upstream = http.request(
    {
      host: platform.slice(0, separator).replace(/^\[|\]$/g, ''),
      port: Number(platform.slice(separator + 1)),
      method: req.method,
      path: req.url,
      headers: { ...req.headers, [VIA_INSTANCE_HEADER]: '1' },
      agent,
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.once('error', (err) => sendError(res, new ApiError('upstream_failed', `the control plane did not answer (${err.message}); try again`)));
  req.pipe(upstream);
}
