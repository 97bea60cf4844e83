/**
 * How a runner on a cluster node reaches the platform: an HTTP upgrade on the control plane's
 * own port (no other port is opened for nodes), admitted by the launch's id and secret, which
 * the platform gave the Slurm job in its environment. What the line then carries is channel.ts.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { Channel } from './channel';

export const NODE_LINK_PATH = '/cluster/node-link';
export const NODE_LINK_PROTOCOL = 'modelarts-node-link';
export const LAUNCH_HEADER = 'x-modelarts-launch';
export const LAUNCH_SECRET_HEADER = 'x-modelarts-launch-secret';

/** What a runner is started with: the variable MA_NODE_LINK, as base64url JSON (one plain word in the job's environment). */
export interface NodeLinkInfo {
  /** The control plane as nodes reach it, e.g. http://10.0.0.1:8080. */
  url: string;
  launch: string;
  secret: string;
  silenceMs: number;
}

export const NODE_LINK_VARIABLE = 'MA_NODE_LINK';

export function encodeLinkInfo(info: NodeLinkInfo): string {
  return Buffer.from(JSON.stringify(info)).toString('base64url');
}

export function decodeLinkInfo(text: string | undefined): NodeLinkInfo {
  if (!text) throw new Error(`${NODE_LINK_VARIABLE} is not set: this runner is started by the platform's Slurm jobs only`);
  return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as NodeLinkInfo;
}

export function newLaunch(): { launch: string; secret: string } {
  return { launch: crypto.randomUUID(), secret: crypto.randomBytes(32).toString('base64url') };
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Opens the line to the platform; rejects with what the platform or the network said. */
export function connectToPlatform(info: NodeLinkInfo): Promise<Channel> {
  return new Promise((resolve, reject) => {
    const url = new URL(NODE_LINK_PATH, info.url);
    const req = http.request(url, {
      headers: { Connection: 'Upgrade', Upgrade: NODE_LINK_PROTOCOL, [LAUNCH_HEADER]: info.launch, [LAUNCH_SECRET_HEADER]: info.secret },
      timeout: CONNECT_TIMEOUT_MS,
    });
    req.once('upgrade', (_res, socket: net.Socket, head: Buffer) => {
      if (head.length) socket.unshift(head);
      resolve(new Channel(socket, info.silenceMs));
    });
    req.once('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.once('end', () => reject(new Error(`the platform at ${info.url} refused this node (HTTP ${res.statusCode}): ${body.slice(0, 500)}`)));
    });
    req.once('timeout', () => req.destroy(new Error(`the platform at ${info.url} did not answer within ${CONNECT_TIMEOUT_MS} ms`)));
    req.on('error', (err) => reject(new Error(`the platform at ${info.url} cannot be reached from this node: ${err.message}`)));
    req.end();
  });
}

/** Tries to connect a few times (the platform may be busy, or the node's network just up). */
export async function connectWithRetries(info: NodeLinkInfo, attempts = 5): Promise<Channel> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await connectToPlatform(info);
    } catch (err) {
      if (attempt >= attempts || /refused this node/.test((err as Error).message)) throw err;
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
    }
  }
}
