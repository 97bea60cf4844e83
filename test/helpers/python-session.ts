import { ChildProcess, spawn } from 'node:child_process';
import readline from 'node:readline';

/**
 * One long-lived Python process that runs snippets a test sends and answers the value each
 * leaves in `result` (as JSON), or the exception it raised: a test of a Python library calls
 * it through real Python, with one interpreter start for the whole suite.
 */
const SERVER = `
import json, sys, traceback
ns = {}
for line in sys.stdin:
    ns.pop('result', None)
    try:
        exec(json.loads(line), ns)
        reply = {'value': ns.get('result')}
    except BaseException as e:
        reply = {'error': {'type': type(e).__name__, 'message': str(e), 'traceback': traceback.format_exc()}}
    sys.stdout.write(json.dumps(reply, default=repr) + '\\n')
    sys.stdout.flush()
`;

export interface PythonError {
  type: string;
  message: string;
  traceback: string;
}

export class PythonSession {
  private readonly answers: ((line: string) => void)[] = [];
  private stderr = '';

  private constructor(private readonly child: ChildProcess) {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => this.answers.shift()?.(line));
    child.stderr!.on('data', (c: Buffer) => (this.stderr = (this.stderr + c.toString()).slice(-4000)));
  }

  static start(python: string, env: NodeJS.ProcessEnv): PythonSession {
    return new PythonSession(spawn(python, ['-u', '-c', SERVER], { env, stdio: ['pipe', 'pipe', 'pipe'] }));
  }

  /** Runs `code`; resolves with what it left in `result`, rejects with the Python exception. */
  async run<T = any>(code: string): Promise<T> {
    const reply = JSON.parse(await this.send(code)) as { value?: T; error?: PythonError };
    if (reply.error) throw Object.assign(new Error(`${reply.error.type}: ${reply.error.message}`), { python: reply.error });
    return reply.value as T;
  }

  /** Runs `code`, which must raise; resolves with the exception's type and message. */
  async raises(code: string): Promise<PythonError> {
    const reply = JSON.parse(await this.send(code)) as { value?: unknown; error?: PythonError };
    if (!reply.error) throw new Error(`expected an exception, got ${JSON.stringify(reply.value)}`);
    return reply.error;
  }

  private send(code: string): Promise<string> {
    if (this.child.exitCode !== null) return Promise.reject(new Error(`the Python session ended: ${this.stderr}`));
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error(`the Python session ended: ${this.stderr}`));
      this.child.once('exit', onExit);
      this.answers.push((line) => {
        this.child.off('exit', onExit);
        resolve(line);
      });
      this.child.stdin!.write(JSON.stringify(code) + '\n');
    });
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    await exited;
  }
}
