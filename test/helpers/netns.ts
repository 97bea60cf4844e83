/**
 * A network namespace of the test's own, joined to this one by a veth pair: a process run
 * inside it (`prefix`) listens on addresses no other host can reach, and this process
 * calls it through `inner`, a non-loopback address, as a stranger on the network would.
 * Needs root and iproute2 (`ip`); tests skip, saying why, where they are missing.
 */
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Netns {
  name: string;
  /** The namespace's address, reachable from here only. */
  inner: string;
  /** This side's address, as the namespace sees it. */
  outer: string;
  /** Runs a command inside the namespace: `[...prefix, command, ...args]`. */
  prefix: string[];
  close(): Promise<void>;
}

async function ip(...args: string[]): Promise<void> {
  await run('ip', args);
}

/** Removes a veth end; one that is not there (it was never made, or went with its namespace) is no error. */
async function removeLink(name: string): Promise<void> {
  try {
    await ip('link', 'del', name);
  } catch (err) {
    if (!String((err as { stderr?: string }).stderr).includes('Cannot find device')) throw err;
  }
}

/** A namespace and a /30 between it and here, named and numbered after this process. */
export async function createNetns(): Promise<Netns> {
  const id = process.pid;
  const name = `ma-test-${id}`;
  const here = `mah${id}`.slice(0, 15);
  const there = `man${id}`.slice(0, 15);
  const base = `10.231.${(id >> 6) & 255}.${(id & 63) * 4}`.split('.').map(Number);
  const addr = (n: number) => [...base.slice(0, 3), base[3] + n].join('.');
  await ip('netns', 'add', name);
  try {
    await ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there);
    await ip('link', 'set', there, 'netns', name);
    await ip('addr', 'add', `${addr(1)}/30`, 'dev', here);
    await ip('link', 'set', here, 'up');
    await ip('netns', 'exec', name, 'ip', 'addr', 'add', `${addr(2)}/30`, 'dev', there);
    await ip('netns', 'exec', name, 'ip', 'link', 'set', there, 'up');
    await ip('netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up');
  } catch (err) {
    await removeLink(here);
    await ip('netns', 'del', name);
    throw err;
  }
  return {
    name,
    inner: addr(2),
    outer: addr(1),
    prefix: ['ip', 'netns', 'exec', name],
    close: async () => {
      // Removing one end of the pair removes the other; the namespace goes last.
      await removeLink(here);
      await ip('netns', 'del', name);
    },
  };
}

/** Why namespaces cannot be made here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  return spawnSync('ip', ['netns', 'list']).status === 0 ? undefined : 'iproute2 (ip) is not installed';
}

/** In a describe(): skips the suite, saying why in its title, where namespaces cannot be made. */
export function useNetns(suite: Mocha.Suite): void {
  const why = netnsUnavailable();
  if (!why) return;
  suite.title += ` (skipped: ${why})`;
  before(function () {
    this.skip();
  });
}
