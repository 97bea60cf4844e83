/**
 * One Python worker process: `python -u worker/ma_hook_worker.py`, which loads the package's
 * customize_service.py and answers the requests sent to it over fd 3 (several at once when
 * its hook can run them together; each answer names its request), where its _inference also
 * asks for the model's outputs (answered by `onModelCall`). Starts with a handshake (ready,
 * or fatal with the reason); its exit is reported, and the requests it was answering fail
 * as retryable.
 */
import { ChildProcess, spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { ApiError } from '../../kernel/errors';
import { describeExit, ExitInfo, StartError, terminate, waitForExit } from '../../kernel/process/supervise';
import { encodeFrame, Frame, FrameReader } from './frames';

export const PROTOCOL_FD = 3;
const KILL_GRACE_MS = 2000;
/** Lines of stderr kept to explain a worker that died before its handshake. */
const KEPT_STDERR_LINES = 12;

export interface WorkerReady {
  hook_class: string;
  python_version: string;
  executable: string;
  /** The hook's requests can run together, stage by stage (worker/ma_hook_together.py). */
  together?: boolean;
}

export interface WorkerLaunch {
  python: string;
  script: string;
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Largest frame either side may send. */
  maxFrameBytes: number;
  startTimeoutMs: number;
  /** Answers the model calls of TfServingBaseService._inference, which come on the same channel. */
  onModelCall(frame: Frame): Promise<{ header: unknown; blobs: Buffer[] }>;
  /** Lines the hook prints (stdout, stderr). */
  onOutput(stream: 'stdout' | 'stderr', line: string, pid: number): void;
}

export class PythonWorker {
  /** The requests sent and not yet answered, by their id. */
  private readonly pending = new Map<number, { resolve(frame: Frame): void; reject(err: Error): void }>();
  private leaving = false;
  private dead = false;
  /** Why the platform killed the worker, when it did: said to the request it was answering. */
  private killedFor?: string;
  readonly exited: Promise<ExitInfo>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly channel: Socket,
    private readonly reader: FrameReader,
    readonly ready: WorkerReady,
    private readonly onModelCall: WorkerLaunch['onModelCall'],
  ) {
    this.exited = waitForExit(child).then((exit) => {
      this.dead = true;
      const why = this.killedFor ? ` (${this.killedFor})` : '';
      const lost = new ApiError('predict_worker_lost', `the Python worker answering this request ${exit.reason}${why}; it is being restarted, send the request again`);
      for (const request of this.pending.values()) request.reject(lost);
      this.pending.clear();
      return exit;
    });
    channel.on('data', (chunk: Buffer) => this.onData(chunk));
    channel.on('error', (err) => this.killFor(`its channel failed: ${err.message}`));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get alive(): boolean {
    return !this.dead;
  }

  get busy(): boolean {
    return this.pending.size > 0;
  }

  /** True when the process ended without being asked to. */
  get crashed(): boolean {
    return !this.leaving;
  }

  static async start(launch: WorkerLaunch): Promise<PythonWorker> {
    const child = spawn(launch.python, ['-u', launch.script], { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const stderrTail: string[] = [];
    forwardLines(child.stdout!, (line) => launch.onOutput('stdout', line, child.pid ?? -1));
    forwardLines(child.stderr!, (line) => {
      stderrTail.push(line);
      if (stderrTail.length > KEPT_STDERR_LINES) stderrTail.shift();
      launch.onOutput('stderr', line, child.pid ?? -1);
    });
    const channel = child.stdio[PROTOCOL_FD] as Socket;
    const reader = new FrameReader(launch.maxFrameBytes);
    try {
      const ready = await handshake(child, channel, reader, launch.startTimeoutMs, stderrTail);
      return new PythonWorker(child, channel, reader, ready, launch.onModelCall);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
  }

  /** Sends request frames in one write (each header has its `id`); each promise resolves with that request's answer frame. */
  call(requests: { header: { id: number }; blobs: Buffer[] }[]): Promise<Frame>[] {
    if (this.busy) return requests.map(() => Promise.reject(new Error('a Python worker takes new requests once it has answered its last ones')));
    if (this.dead) return requests.map(() => Promise.reject(new ApiError('predict_worker_lost', 'the Python worker for this request has ended; it is being restarted, send the request again')));
    const answers = requests.map(({ header }) => new Promise<Frame>((resolve, reject) => this.pending.set(header.id, { resolve, reject })));
    // Corked: the frames leave in one write, so the worker reads them in one wake-up.
    this.channel.cork();
    for (const { header, blobs } of requests) this.channel.write(encodeFrame(header, blobs));
    this.channel.uncork();
    return answers;
  }

  /** Ends a worker that is stuck (past the request timeout) or whose pool is closing. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }

  async stop(): Promise<void> {
    this.leaving = true;
    await terminate(this.child, KILL_GRACE_MS);
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.killFor(`it spoke an unknown protocol: ${(err as Error).message}`);
      return;
    }
    for (const frame of frames) {
      if (frame.header.type === 'model') {
        this.answerModelCall(frame);
        continue;
      }
      const id = frame.header.id as number;
      const request = this.pending.get(id);
      if (!request) return this.killFor(`it answered a request it was not given (id ${JSON.stringify(id)})`);
      this.pending.delete(id);
      request.resolve(frame);
    }
  }

  /** A worker that cannot be trusted any more is killed, and the request it was answering told why. */
  private killFor(reason: string): void {
    this.killedFor ??= reason;
    this.child.kill('SIGKILL');
  }

  /** A model call's answer goes back on the channel it came on (the worker waits for it), unless the worker is gone. */
  private answerModelCall(frame: Frame): void {
    void this.onModelCall(frame).then(({ header, blobs }) => {
      if (!this.dead) this.channel.write(encodeFrame(header, blobs));
    });
  }
}

function handshake(child: ChildProcess, channel: Socket, reader: FrameReader, timeoutMs: number, stderrTail: string[]): Promise<WorkerReady> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      clearTimeout(timer);
      channel.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
    };
    const fail = (message: string) => {
      cleanup();
      reject(new StartError(message));
    };
    const timer = setTimeout(() => fail(`the Python worker did not start within ${timeoutMs} ms`), timeoutMs);
    const onData = (chunk: Buffer) => {
      let frame: Frame | undefined;
      try {
        frame = reader.push(chunk)[0];
      } catch (err) {
        return fail(`the Python worker spoke an unknown protocol: ${(err as Error).message}`);
      }
      if (!frame) return;
      if (frame.header.type === 'ready') {
        cleanup();
        resolve(frame.header as unknown as WorkerReady);
      } else fail(String(frame.header.message ?? 'the Python worker failed to start'));
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      const tail = stderrTail.length ? `: ${stderrTail.join(' | ')}` : '';
      fail(`the Python worker ${describeExit(code, signal)} before it was ready${tail}`);
    };
    const onError = (err: Error) => fail(`the Python worker could not be started: ${err.message}`);
    channel.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function forwardLines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  stream.on('end', () => {
    if (partial) onLine(partial);
  });
}
