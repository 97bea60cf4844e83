/**
 * A service instance on a cluster node, as the platform's runner hosts it there: it fetches
 * the model's package from OBS (kept per node for the next instance of the same model),
 * starts the instance process beside itself exactly as the platform starts a local one, and
 * stands in for the platform: the instance's messages go over the line, connections the
 * platform relays (relay.ts) are passed to it as handles. Without the line, the instance goes.
 */
import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Channel } from '../../kernel/cluster/channel';
import { distPath } from '../../kernel/paths';
import { passSocket } from '../../kernel/process/pass-socket';
import { forkWithHandshake, waitForExit } from '../../kernel/process/supervise';
import { ObjectStore } from '../../kernel/storage/object-store';
import { parseObsUrl } from '../../kernel/storage/obs-url';
import { isErrno } from '@modelarts-local/durable';
import type { InstanceMessage, InstanceReady } from '../instance/protocol';
import type { HostFrame, HostStart, PlatformToHost } from './host-frames';
import { listenRelay } from './relay';

/** How long the platform may take to send the instance's options once the host said hello. */
const START_FRAME_TIMEOUT_MS = 60_000;

export async function hostInstance(channel: Channel, node: string, relayKey: string): Promise<number> {
  const host = channel.localAddress;
  const send = (frame: HostFrame) => channel.send(frame);
  let child: ChildProcess | undefined;
  const relay = await listenRelay(host, relayKey, (socket, kind) => {
    if (!child || !passSocket(child, { type: kind }, socket, () => socket.destroy())) socket.destroy();
  });
  send({ t: 'hello', node, host, relayPort: (relay.address() as { port: number }).port });
  const start = await channel.next<HostStart>('start', START_FRAME_TIMEOUT_MS);
  try {
    const modelDir = await fetchModel(start);
    const options = { ...start.options, modelDir, host };
    const forked = await forkWithHandshake<InstanceReady>(distPath('services/instance/main.js'), {
      label: `instance ${options.instanceId}`,
      startTimeoutMs: start.startTimeoutMs,
      cwd: modelDir,
      env: { ...start.env, MA_INSTANCE: JSON.stringify(options) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = forked.child;
    send({ t: 'ready', info: forked.info });
  } catch (err) {
    send({ t: 'fatal', message: (err as Error).message });
    relay.close();
    return 1;
  }
  const instance = child!;
  instance.on('message', (m: InstanceMessage) => send({ t: 'ipc', m }));
  channel.on('frame', (f) => obey(instance, f as PlatformToHost));
  // Without the platform nobody can reach or stop the instance any more: it goes, as a local one goes with the platform.
  channel.on('close', () => instance.kill('SIGKILL'));
  const exit = await waitForExit(instance);
  relay.close();
  send({ t: 'exit', exit });
  return exit.code ?? 1;
}

function obey(instance: ChildProcess, frame: PlatformToHost): void {
  if (frame.t === 'ipc' && instance.connected) instance.send(frame.m);
  else if (frame.t === 'signal') instance.kill(frame.sig);
}

/** The model's package in this node's folder: fetched once, then shared by the instances of the model here. */
async function fetchModel(start: HostStart): Promise<string> {
  const dir = path.join(start.workDir, 'models', start.options.modelId, 'model');
  const ready = await fs.stat(path.join(dir, 'config.json')).then(
    () => true,
    (err: unknown) => {
      if (isErrno(err, 'ENOENT')) return false;
      throw err;
    },
  );
  if (ready) return dir;
  const staging = path.join(start.workDir, 'models', '.staging', crypto.randomUUID());
  const store = new ObjectStore({ ...start.obs });
  try {
    await store.downloadPrefix(parseObsUrl(start.options.packageUrl), staging);
    await fs.mkdir(path.dirname(dir), { recursive: true });
    // Another instance of the model may have put it in place meanwhile: its copy is as good.
    await fs.rename(staging, dir).catch((err: unknown) => {
      if (!isErrno(err, 'ENOTEMPTY') && !isErrno(err, 'EEXIST')) throw err;
    });
    return dir;
  } finally {
    store.destroy();
    await fs.rm(staging, { recursive: true, force: true });
  }
}
