/**
 * How a supervisor starts a process again after it died: the waits before each try, how many
 * tries before it gives up, and when a process that stays up earns a fresh start of the count.
 * The waits are a list rather than base × 2ⁿ because the schedules below are not all powers of
 * two (a first try at once, 5 s then 10 s); past its end the list's last wait repeats (the cap).
 */
export interface RestartPolicy {
  /** Waits before the first, second … try, in ms; the last repeats for every later try. */
  readonly delaysMs: readonly number[];
  /** Tries before the supervisor gives up; Infinity: it never does. */
  readonly maxTries: number;
  /** Ms a restarted process must stay up before its next death starts the count over; Infinity: never. */
  readonly resetAfterMs: number;
}

/** Every supervisor's policy, in one place, each with why it is so. */
export const RESTART_POLICIES = {
  /**
   * A service's instance: its generation ends the tries (a redeploy or stop), never a count — a
   * service should heal once what broke it (a full disk, a store that was down) is fixed. The
   * count is per death: the next death starts from the first wait once a restart succeeded.
   */
  instance: { delaysMs: [500, 1000, 2000, 5000, 10_000, 30_000], maxTries: Infinity, resetAfterMs: 0 },
  /**
   * A Python hook's worker: the first try is at once (a request is waiting for it); a worker that
   * cannot start three times running means the hook is broken, and the instance gives up so that
   * its own supervisor (the instance policy) takes over.
   */
  pythonWorker: { delaysMs: [0, 500, 2000], maxTries: 3, resetAfterMs: 0 },
  /**
   * A batch service's instance: the batch has inputs waiting, and a batch that cannot get its
   * instance back within about 8 s fails with the reason rather than waiting on (four tries).
   */
  batchInstance: { delaysMs: [500, 1000, 2000, 5000], maxTries: 4, resetAfterMs: 0 },
  /**
   * The embedded object store: the platform cannot work without it, so it is started forever; the
   * count never starts over, so a store that keeps dying is retried every 5 s, not every 200 ms.
   */
  embeddedStore: { delaysMs: [200, 1000, 5000], maxTries: Infinity, resetAfterMs: Infinity },
} as const satisfies Record<string, RestartPolicy>;

/**
 * One supervised process's place in its policy: ask `nextDelay()` before each try (undefined:
 * give up), say `up()` when a try worked.
 */
export class RestartBackoff {
  private tries = 0;
  private upSince?: number;

  constructor(
    readonly policy: RestartPolicy,
    private readonly now: () => number = Date.now,
  ) {}

  /** How long to wait before the next try, or undefined when the policy's tries are spent. */
  nextDelay(): number | undefined {
    if (this.upSince !== undefined && this.now() - this.upSince >= this.policy.resetAfterMs) this.tries = 0;
    this.upSince = undefined;
    if (this.tries >= this.policy.maxTries) return undefined;
    const { delaysMs } = this.policy;
    return delaysMs[Math.min(this.tries++, delaysMs.length - 1)];
  }

  /** A try worked: the process is up, and its stable period starts now. */
  up(): void {
    this.upSince = this.now();
  }

  /** Tries since the count last started over. */
  get count(): number {
    return this.tries;
  }
}
