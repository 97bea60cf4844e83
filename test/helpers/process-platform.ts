import { ChildProcess, spawn } from 'node:child_process';
import { distPath } from '../../kernel/paths';

export interface PlatformProcess {
  child: ChildProcess;
  url: string;
  storageEndpoint: string;
  output: () => string;
}

/**
 * `npm start` as a user runs it (the compiled entry point), on free ports; resolves once it
 * printed its banner. `prefix` runs it through another command (inside a network namespace);
 * `ownGroup` gives it a process group of its own, as a terminal gives a command.
 */
export function spawnPlatform(
  env: Record<string, string>,
  timeoutMs = 30_000,
  opts: { prefix?: string[]; ownGroup?: boolean } = {},
): Promise<PlatformProcess> {
  const prefix = opts.prefix ?? [];
  const [command, ...args] = [...prefix, process.execPath, distPath('platform/main.js')];
  const child = spawn(command, args, {
    env: { ...process.env, PORT: '0', OBS_PORT: '0', PREPARE_SAMPLES: 'false', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own, as a terminal gives a command, so a test can send Ctrl-C to the group.
    detached: opts.ownGroup === true,
  });
  let text = '';
  child.stdout!.on('data', (c) => (text += c));
  child.stderr!.on('data', (c) => (text += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the platform did not start:\n${text}`)), timeoutMs);
    const check = () => {
      const url = /control plane\s+(\S+)/.exec(text)?.[1];
      const storage = /object storage\s+(\S+)/.exec(text)?.[1];
      if (url && storage) {
        clearTimeout(timer);
        child.stdout!.off('data', check);
        resolve({ child, url, storageEndpoint: storage, output: () => text });
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the platform exited with ${code}:\n${text}`));
    });
  });
}

export function killHard(p: PlatformProcess): Promise<void> {
  return new Promise((resolve) => {
    if (p.child.exitCode !== null || p.child.signalCode !== null) return resolve();
    p.child.once('exit', () => resolve());
    p.child.kill('SIGKILL');
  });
}
