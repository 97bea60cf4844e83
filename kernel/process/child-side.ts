/**
 * The child half of the handshake in supervise.ts: report ready or fatal, and exit
 * when the parent goes away (even a `kill -9` of the parent closes the IPC channel),
 * so no child of the platform outlives it.
 */
export function exitWithParent(onExit?: () => void | Promise<void>): void {
  process.on('disconnect', () => {
    void Promise.resolve(onExit?.()).finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}

export function sendReady<R>(info: R): void {
  process.send?.({ type: 'ready', info });
}

export function sendFatal(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  if (process.send) process.send({ type: 'fatal', message }, () => process.exit(1));
  else {
    process.stderr.write(`${message}\n`);
    process.exit(1);
  }
}
