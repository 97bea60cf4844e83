/**
 * The line between the platform and its runner on a cluster node: JSON frames, one per line,
 * over one TCP connection the runner opened (an HTTP upgrade on the control plane's port,
 * see channel-hub.ts and node-link.ts). Both sides send a ping every quarter of the silence
 * limit; a side that hears nothing for that long takes the other as lost (its node died or
 * its link was cut, which TCP alone would notice only after minutes) and closes the line.
 */
import { EventEmitter } from 'node:events';
import type net from 'node:net';
import { StringDecoder } from 'node:string_decoder';

/** One message: its type in `t`, the rest as the type says. */
export interface Frame {
  t: string;
}

/** Frames carry logs and instance options; a line longer than this is not one of ours. */
const MAX_FRAME_BYTES = 64 * 1024 * 1024;

export interface ChannelEvents {
  frame: [Frame];
  /** Once, with why the line ended. */
  close: [string];
  /** Frames written so far have gone out: sending may resume. */
  drain: [];
}

export class Channel extends EventEmitter<ChannelEvents> {
  private pending = '';
  private heardAt = Date.now();
  private readonly timer: NodeJS.Timeout;
  private closedWith?: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly silenceMs: number,
  ) {
    super();
    socket.setNoDelay(true);
    // Not socket.setEncoding: an HTTP server's sockets refuse it, even once upgraded.
    const decoder = new StringDecoder('utf8');
    socket.on('data', (chunk: Buffer) => this.read(decoder.write(chunk)));
    socket.on('drain', () => this.emit('drain'));
    // The other side ending its half is how a line normally ends; a ping racing it must not count as a failure.
    socket.on('end', () => this.close('the other side ended the line'));
    socket.on('error', (err) => this.close(`the connection failed: ${err.message}`));
    socket.on('close', () => this.close('the connection closed'));
    this.timer = setInterval(() => this.tick(), Math.max(50, Math.floor(silenceMs / 4)));
    this.timer.unref();
  }

  /** The address this side of the line has (a runner's own address on the cluster's network). */
  get localAddress(): string {
    return this.socket.localAddress?.replace(/^::ffff:/, '') ?? '';
  }

  get remoteAddress(): string {
    return this.socket.remoteAddress?.replace(/^::ffff:/, '') ?? '';
  }

  get open(): boolean {
    return this.closedWith === undefined;
  }

  /** Why the line ended, once it has. */
  get closeReason(): string | undefined {
    return this.closedWith;
  }

  /** Sends a frame; false when the line is gone or its buffer is full (wait for 'drain'). */
  send(frame: Frame): boolean {
    if (!this.open) return false;
    return this.socket.write(`${JSON.stringify(frame)}\n`);
  }

  /** The next frame of type `t`; rejects when the line ends first, or after `timeoutMs`. */
  next<F extends Frame>(t: F['t'], timeoutMs: number): Promise<F> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.off('frame', onFrame);
        this.off('close', onClose);
      };
      const onFrame = (frame: Frame) => {
        if (frame.t !== t) return;
        done();
        resolve(frame as F);
      };
      const onClose = (reason: string) => {
        done();
        reject(new Error(`the line ended before a ${t} frame came: ${reason}`));
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`no ${t} came within ${timeoutMs} ms`));
      }, timeoutMs);
      this.on('frame', onFrame);
      this.on('close', onClose);
    });
  }

  /** Ends the line once what was sent has gone out; resolves when it is closed. */
  finish(reason: string): Promise<void> {
    if (!this.open) return Promise.resolve();
    return new Promise((resolve) => {
      this.once('close', () => resolve());
      clearInterval(this.timer);
      this.socket.end(() => this.close(reason));
    });
  }

  /** Ends the line at once; the other side sees it close. */
  close(reason: string): void {
    if (!this.open) return;
    this.closedWith = reason;
    clearInterval(this.timer);
    this.socket.destroy();
    this.emit('close', reason);
  }

  private read(text: string): void {
    this.heardAt = Date.now();
    this.pending += text;
    let nl: number;
    while (this.open && (nl = this.pending.indexOf('\n')) !== -1) {
      const line = this.pending.slice(0, nl);
      this.pending = this.pending.slice(nl + 1);
      this.deliver(line);
    }
    if (this.pending.length > MAX_FRAME_BYTES) this.close(`a frame of more than ${MAX_FRAME_BYTES} bytes came`);
  }

  private deliver(line: string): void {
    let frame: Frame;
    try {
      frame = JSON.parse(line) as Frame;
    } catch {
      return this.close('a frame that is not JSON came');
    }
    if (typeof frame?.t !== 'string') return this.close('a frame without a type came');
    if (frame.t !== 'ping') this.emit('frame', frame);
  }

  private tick(): void {
    if (Date.now() - this.heardAt <= this.silenceMs) return void this.send({ t: 'ping' });
    // Timers run before reads: after a busy stretch here, what came meanwhile is read first.
    setImmediate(() => {
      const silent = Date.now() - this.heardAt;
      if (silent > this.silenceMs) this.close(`nothing was heard for ${silent} ms (the node or its link failed)`);
    });
  }
}
