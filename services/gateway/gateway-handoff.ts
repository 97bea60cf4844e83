/**
 * The control plane's port, with a look at the first bytes of every connection: when
 * its first request is a prediction for a service (`/v1/infers/<id>/…`) that can take
 * it, the connection itself is passed to one of the service's instances, bytes read so
 * far included, and its next requests go there without this process in between (the
 * instance sends anything else it meets back here). Every other connection is the
 * control plane's HTTP server's, which answers it as any other. Proxying each prediction through this
 * process costs a second HTTP hop per request; passing the connection costs one
 * message per connection.
 */
import http from 'node:http';
import net from 'node:net';

/** Set on requests an instance sends back to the control plane: never passed on again. */
export const VIA_INSTANCE_HEADER = 'x-modelarts-via-instance';
/** The first request line must be within this many bytes to be looked at. */
const MAX_PEEK_BYTES = 2048;
const REQUEST_LINE = /^[A-Z]+ \/v1\/infers\/([^/?\s]+)[^\s]* HTTP\/1\.1\r\n/;

/** Passes `socket` (with `head`, the bytes read from it) to an instance of service `id`; false when none can take it. */
export type GatewayHandOff = (id: string, socket: net.Socket, head: Buffer) => boolean;

export function listenWithHandOff(server: http.Server, port: number, host: string, handOff: GatewayHandOff): Promise<net.Server> {
  const front = net.createServer({ noDelay: true }, (socket) => {
    socket.once('data', (head: Buffer) => {
      socket.pause();
      const id = candidate(head);
      if (id !== undefined && handOff(id, socket, head)) return;
      socket.unshift(head);
      server.emit('connection', socket);
      socket.resume();
    });
    // A connection that closes or fails before it sends anything is nobody's.
    socket.once('error', () => socket.destroy());
  });
  return new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, host, () => {
      front.off('error', reject);
      resolve(front);
    });
  });
}

/** The service id of a first request that is a prediction through the gateway, sent by a client (not an instance). */
function candidate(head: Buffer): string | undefined {
  const text = head.toString('latin1', 0, Math.min(head.length, MAX_PEEK_BYTES));
  if (!text.startsWith('POST ') && !text.startsWith('GET ')) return undefined;
  const match = REQUEST_LINE.exec(text);
  if (!match || text.toLowerCase().includes(`\r\n${VIA_INSTANCE_HEADER}:`)) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}
