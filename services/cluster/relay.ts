/**
 * A connection to a service's port (HTTP or TF Serving's gRPC) carried to an instance on a
 * cluster node: the platform connects to the instance host's relay port, says which kind of
 * connection it carries with the launch's key, waits for the host's acknowledgment, then
 * pipes the client's bytes both ways. The host passes the connection to its instance as the
 * platform passes one to a local instance, so the instance serves it as it serves any.
 */
import net from 'node:net';
import { stopReading } from '../../kernel/process/pass-socket';
import { secretMatches } from '../../kernel/util/secret';
import type { ConnectionKind } from '../instance/protocol';

const ACK = 0x06;
const MAX_PREFACE_BYTES = 1024;
const PREFACE_TIMEOUT_MS = 5000;

interface Preface {
  kind: ConnectionKind;
  key: string;
}

/** The platform's side: carries `client` (paused, unread) to the host; `closed` when the pair has ended. */
export function relayTo(target: { host: string; port: number }, preface: Preface, client: net.Socket, closed: () => void): net.Socket {
  const upstream = net.connect({ host: target.host, port: target.port, noDelay: true });
  let done = false;
  const end = () => {
    if (done) return;
    done = true;
    client.destroy();
    upstream.destroy();
    closed();
  };
  upstream.once('connect', () => upstream.write(`${JSON.stringify(preface)}\n`));
  upstream.once('data', (chunk: Buffer) => {
    if (chunk[0] !== ACK) return end();
    if (chunk.length > 1) client.write(chunk.subarray(1));
    client.pipe(upstream);
    upstream.pipe(client);
    client.resume();
  });
  for (const socket of [client, upstream]) {
    socket.on('error', end);
    socket.once('close', end);
  }
  return upstream;
}

/** The host's side: a port on the node's address whose connections, once introduced with `key`, go to `onConnection`. */
export function listenRelay(host: string, key: string, onConnection: (socket: net.Socket, kind: ConnectionKind) => void): Promise<net.Server> {
  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => {
    socket.on('error', () => socket.destroy());
    socket.setTimeout(PREFACE_TIMEOUT_MS, () => socket.destroy());
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('latin1');
      const nl = text.indexOf('\n');
      if (nl === -1) {
        if (text.length > MAX_PREFACE_BYTES) socket.destroy();
        return;
      }
      socket.off('data', onData);
      socket.pause();
      socket.setTimeout(0);
      const preface = parsePreface(text.slice(0, nl), key);
      // The platform sends nothing after its preface before the acknowledgment.
      if (!preface || nl + 1 < text.length) return void socket.destroy();
      // Acknowledged once the socket reads no more here: what the client sends next is the instance's to read.
      stopReading(socket);
      socket.write(Buffer.from([ACK]), () => onConnection(socket, preface.kind));
    };
    socket.on('data', onData);
    socket.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}

function parsePreface(line: string, key: string): Preface | undefined {
  try {
    const p = JSON.parse(line) as Partial<Preface>;
    if ((p.kind === 'connection' || p.kind === 'grpc-connection') && secretMatches(p.key, key)) return p as Preface;
  } catch {
    return undefined;
  }
  return undefined;
}
