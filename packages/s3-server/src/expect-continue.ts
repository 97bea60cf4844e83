import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * `Expect: 100-continue`: the client waits for `100 Continue` before it sends the body. It is
 * sent only when an operation starts reading the body, so every refusal that needs no body
 * (signature, missing bucket, failed precondition) is answered first and the body never sent.
 */
const waiting = new WeakMap<IncomingMessage, ServerResponse>();

export function awaitContinue(req: IncomingMessage, res: ServerResponse): void {
  waiting.set(req, res);
}

/** Called as the body is first read. */
export function sendContinueIfAwaited(req: IncomingMessage): void {
  const res = waiting.get(req);
  if (!res) return;
  waiting.delete(req);
  if (!res.headersSent) res.writeContinue();
}
