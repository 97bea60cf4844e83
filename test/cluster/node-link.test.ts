import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { Channel, Frame } from '../../kernel/cluster/channel';
import { ChannelHub, type OpenLaunch } from '../../kernel/cluster/channel-hub';
import { connectToPlatform, LAUNCH_HEADER, LAUNCH_SECRET_HEADER, NODE_LINK_PATH, NODE_LINK_PROTOCOL } from '../../kernel/cluster/node-link';

/** The node link as the control plane answers it: an HTTP server whose upgrades go to the hub. */
describe('the node link: how runners on cluster nodes reach the platform', function () {
  this.timeout(20_000);
  const SILENCE_MS = 600;
  let server: http.Server;
  let url: string;
  const hub = new ChannelHub(SILENCE_MS);
  const accepted: Channel[] = [];
  let launch: OpenLaunch;

  before(async () => {
    server = http.createServer((_req, res) => res.end('the API'));
    server.on('upgrade', (req, socket: net.Socket, head: Buffer) => hub.accept(req, socket, head) || socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    launch = hub.open((channel) => accepted.push(channel));
  });

  after(() => {
    launch.close();
    server.closeAllConnections();
    server.close();
  });

  it('admits a runner with its launch\'s id and secret, and carries frames both ways', async () => {
    const node = await connectToPlatform({ url, launch: launch.launch, secret: launch.secret, silenceMs: SILENCE_MS });
    await waitUntil(() => accepted.length === 1);
    const platform = accepted[0];
    node.send({ t: 'hello', index: 1 } as Frame);
    assert.deepEqual(await platform.next<Frame & { index: number }>('hello', 2000), { t: 'hello', index: 1 });
    platform.send({ t: 'start', big: 'x'.repeat(200_000) } as Frame);
    assert.equal(((await node.next<Frame & { big: string }>('start', 2000)).big).length, 200_000);
    await node.finish('done');
    await waitUntil(() => !platform.open);
    assert.equal(platform.closeReason, 'the other side ended the line');
  });

  it('keeps a quiet but living line open: both sides send heartbeats', async () => {
    const node = await connectToPlatform({ url, launch: launch.launch, secret: launch.secret, silenceMs: SILENCE_MS });
    await new Promise((r) => setTimeout(r, SILENCE_MS * 3));
    assert.ok(node.open, 'still open after three silence limits without a frame of its own');
    node.close('done');
  });

  it('takes a runner that goes silent as lost, well before TCP would say so', async () => {
    const before = accepted.length;
    // Upgraded by hand, then never a byte more: a node whose link was cut looks like this.
    const socket = net.connect({ host: '127.0.0.1', port: Number(new URL(url).port) });
    socket.write(`GET ${NODE_LINK_PATH} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: ${NODE_LINK_PROTOCOL}\r\n${LAUNCH_HEADER}: ${launch.launch}\r\n${LAUNCH_SECRET_HEADER}: ${launch.secret}\r\n\r\n`);
    socket.on('data', () => socket.pause());
    await waitUntil(() => accepted.length === before + 1);
    const platform = accepted[before];
    const started = Date.now();
    await waitUntil(() => !platform.open, 5000);
    assert.match(platform.closeReason!, /^nothing was heard for \d+ ms \(the node or its link failed\)$/);
    assert.ok(Date.now() - started < SILENCE_MS * 3, `lost after ${Date.now() - started} ms`);
    socket.destroy();
  });

  it('refuses a wrong secret, an unknown launch and a closed one with 401, and leaves other paths alone', async () => {
    await assert.rejects(connectToPlatform({ url, launch: launch.launch, secret: 'guessed', silenceMs: SILENCE_MS }), /refused this node \(HTTP 401\): .*"error_code":"ModelArts\.0201".*a launch that is open, with its id and secret/);
    await assert.rejects(connectToPlatform({ url, launch: 'no-such-launch', secret: launch.secret, silenceMs: SILENCE_MS }), /HTTP 401/);
    const closed = hub.open(() => assert.fail('a closed launch admits no node'));
    closed.close();
    await assert.rejects(connectToPlatform({ url, launch: closed.launch, secret: closed.secret, silenceMs: SILENCE_MS }), /HTTP 401/);
    const other = await fetch(`${url}/anything`);
    assert.equal(await other.text(), 'the API');
  });
});

async function waitUntil(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}
