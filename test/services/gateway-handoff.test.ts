import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { startTestPlatform, TestPlatform } from '../helpers/platform';
import { testDigits } from '../helpers/mnist-model';
import { deployService, importMnist } from '../helpers/services';

/**
 * A client in another process that keeps one connection to the control plane: its
 * first request is a prediction through /v1/infers/<id>/ (the platform passes the
 * connection on), then it says "ready", waits, and sends five more predictions and a
 * GET /health on the same connection, timing each. Prints [status, ms, body] triples.
 */
const CLIENT = `
const http = require('node:http');
const [url, health, png] = [process.argv[1], process.argv[2], Buffer.from(process.argv[3], 'base64')];
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const boundary = 'xxBOUNDARYxx';
const body = Buffer.concat([Buffer.from('--' + boundary + '\\r\\nContent-Disposition: form-data; name="images"; filename="d.png"\\r\\nContent-Type: image/png\\r\\n\\r\\n'), png, Buffer.from('\\r\\n--' + boundary + '--\\r\\n')]);
const call = (target, method) => new Promise((resolve) => {
  const start = Date.now();
  const req = http.request(target, { method, agent, headers: method === 'POST' ? { 'content-type': 'multipart/form-data; boundary=' + boundary, 'content-length': body.length } : {} }, (res) => {
    let text = '';
    res.on('data', (c) => (text += c));
    res.on('end', () => resolve([res.statusCode, Date.now() - start, text]));
  });
  req.on('error', (e) => resolve([0, Date.now() - start, e.message]));
  req.end(method === 'POST' ? body : undefined);
});
(async () => {
  const out = [await call(url, 'POST')];
  console.log('ready');
  await new Promise((r) => setTimeout(r, 300));
  for (let i = 0; i < 5; i++) out.push(await call(url, 'POST'));
  out.push(await call(health, 'GET'));
  console.log(JSON.stringify(out));
})();`;

describe('the gateway passes a prediction connection on to an instance', function () {
  this.timeout(120_000);
  let t: TestPlatform;
  let service: any;

  before(async () => {
    t = await startTestPlatform();
    const model = await importMnist(t, 'gateway-handoff', 'mnist');
    service = await deployService(t.url, { name: 'passed-on', model_id: model.id, instance_count: 2 });
    assert.equal(service.status, 'running', JSON.stringify(service.events));
  });

  after(async () => t?.close());

  it("answers the connection's later predictions while the platform's process is blocked, and sends its API calls back to the platform", async () => {
    const png = testDigits([0])[0].png.toString('base64');
    const child = spawn(process.execPath, ['-e', CLIENT, `${t.url}/v1/infers/${service.id}/`, `${t.url}/health`, png], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        output += c.toString();
        if (output.includes('ready')) resolve();
      });
    });
    // This process is the platform: blocked for 2 s, it can neither accept nor proxy.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2000);
    await new Promise((resolve) => child.once('exit', resolve));
    const results = JSON.parse(output.split('\n').find((l) => l.startsWith('['))!) as [number, number, string][];
    const predictions = results.slice(1, 6);
    assert.deepEqual(predictions.map(([status]) => status), [200, 200, 200, 200, 200]);
    for (const [, ms, body] of predictions) {
      assert.equal(JSON.parse(body).predicted_label, '7');
      assert.ok(ms < 1000, `a prediction took ${ms} ms while the platform was blocked`);
    }
    const [status, , health] = results[6];
    assert.equal(status, 200);
    assert.ok(['ok', 'degraded'].includes(JSON.parse(health).status), 'the platform answered GET /health');
  });

  it('keeps a body that arrives after its headers with the connection, while many connections are being passed at once', async () => {
    const png = testDigits([0])[0].png;
    const boundary = 'xxBOUNDARYxx';
    const body = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="images"; filename="d.png"\r\nContent-Type: image/png\r\n\r\n`), png, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const head = `POST /v1/infers/${service.id}/ HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    const { port } = new URL(t.url);
    const statuses = await Promise.all(Array.from({ length: CONNECTIONS_AT_ONCE }, () => headersThenBody(Number(port), head, body)));
    assert.deepEqual(statuses, statuses.map(() => 200));
  });
});

/** Connections the test opens at the same moment: enough that later ones are passed while earlier ones wait for the instance's acknowledgment. */
const CONNECTIONS_AT_ONCE = 32;

/** Sends the headers, then the body a few milliseconds later in a write of its own; resolves with the status code of the answer. */
function headersThenBody(port: number, head: string, body: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1', noDelay: true }, () => {
      socket.write(head);
      setTimeout(() => socket.write(body), 5);
    });
    let answer = '';
    socket.on('data', (c: Buffer) => (answer += c.toString('latin1')));
    socket.on('close', () => resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0)));
    socket.on('error', () => undefined);
  });
}
