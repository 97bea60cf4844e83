import { ChildProcess, fork, ForkOptions } from 'node:child_process';
import os from 'node:os';

/** Messages every child of ours sends first: ready (with what it offers) or fatal. */
export type StartMessage<R> = { type: 'ready'; info: R } | { type: 'fatal'; message: string };

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** A sentence a user can read: "exited with code 3", "was killed by SIGKILL (out of memory?)". */
  reason: string;
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) {
    const hint = signal === 'SIGKILL' ? ' (stopped forcibly, or out of memory)' : signal === 'SIGSEGV' ? ' (crashed)' : '';
    const num = os.constants.signals[signal];
    return `was killed by ${signal}${num ? ` (signal ${num})` : ''}${hint}`;
  }
  if (code === 0) return 'exited normally (code 0)';
  return `exited with code ${code}`;
}

export function waitForExit(child: ChildProcess): Promise<ExitInfo> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode as NodeJS.Signals | null, reason: describeExit(child.exitCode, child.signalCode as NodeJS.Signals | null) });
  }
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal, reason: describeExit(code, signal) }));
  });
}

/** SIGTERM, then SIGKILL when the child has not exited after `graceMs`. */
export async function terminate(child: ChildProcess, graceMs: number): Promise<ExitInfo> {
  const exited = waitForExit(child);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const info = await exited;
    clearTimeout(timer);
    return info;
  }
  return exited;
}

export class StartError extends Error {}

/**
 * Forks one of our own Node entry points with an IPC channel and waits for its
 * `ready` message. A child that dies, reports `fatal` or stays silent past
 * `startTimeoutMs` is killed and reported with a readable reason.
 */
export async function forkWithHandshake<R>(
  entry: string,
  options: ForkOptions & { startTimeoutMs: number; label: string },
): Promise<{ child: ChildProcess; info: R }> {
  const { startTimeoutMs, label, ...forkOptions } = options;
  // Its own process group: a Ctrl-C at the terminal reaches only the platform, which then stops
  // its children in order, instead of every child dying at once and being "restarted" during the
  // shutdown. A child still never outlives the platform (child-side.ts exits on disconnect).
  const child = fork(entry, { detached: true, ...forkOptions, serialization: 'advanced' });
  try {
    const info = await new Promise<R>((resolve, reject) => {
      const timer = setTimeout(() => reject(new StartError(`${label} did not start within ${startTimeoutMs} ms`)), startTimeoutMs);
      const done = () => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        child.off('error', onError);
      };
      const onMessage = (m: StartMessage<R>) => {
        if (m?.type === 'ready') {
          done();
          resolve(m.info);
        } else if (m?.type === 'fatal') {
          done();
          reject(new StartError(`${label} failed to start: ${m.message}`));
        }
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
        done();
        reject(new StartError(`${label} ${describeExit(code, signal)} before it was ready`));
      };
      const onError = (err: Error) => {
        done();
        reject(new StartError(`${label} could not be started: ${err.message}`));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.once('error', onError);
    });
    return { child, info };
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw err;
  }
}
