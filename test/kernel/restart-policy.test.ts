import assert from 'node:assert/strict';
import { RestartBackoff, RESTART_POLICIES, type RestartPolicy } from '../../kernel/process/restart-policy';

/** A backoff on a clock the test moves. */
function backoffOn(policy: RestartPolicy): { backoff: RestartBackoff; pass(ms: number): void } {
  let now = 1_000_000;
  return { backoff: new RestartBackoff(policy, () => now), pass: (ms) => (now += ms) };
}

function delays(backoff: RestartBackoff, n: number): (number | undefined)[] {
  return Array.from({ length: n }, () => backoff.nextDelay());
}

describe('the restart policy', () => {
  it('waits the listed delays in order, then repeats the last one (the cap) for as long as it tries', () => {
    const { backoff } = backoffOn({ delaysMs: [10, 20, 40], maxTries: Infinity, resetAfterMs: Infinity });
    assert.deepEqual(delays(backoff, 6), [10, 20, 40, 40, 40, 40]);
    assert.equal(backoff.count, 6);
  });

  it('gives up after its tries, and keeps giving up', () => {
    const { backoff } = backoffOn({ delaysMs: [0, 5], maxTries: 3, resetAfterMs: 0 });
    assert.deepEqual(delays(backoff, 5), [0, 5, 5, undefined, undefined]);
  });

  it('starts the count over once a restarted process stayed up for the stable period, not before', () => {
    const { backoff, pass } = backoffOn({ delaysMs: [1, 2, 3], maxTries: 3, resetAfterMs: 60_000 });
    assert.deepEqual(delays(backoff, 2), [1, 2]);
    backoff.up();
    pass(59_999);
    assert.equal(backoff.nextDelay(), 3, 'a death inside the stable period goes on counting');
    backoff.up();
    pass(60_000);
    assert.deepEqual(delays(backoff, 4), [1, 2, 3, undefined]);
  });

  it('does not start over for a process that was never up again', () => {
    const { backoff, pass } = backoffOn({ delaysMs: [1, 2], maxTries: Infinity, resetAfterMs: 0 });
    backoff.nextDelay();
    pass(3_600_000);
    assert.equal(backoff.nextDelay(), 2);
  });

  it('keeps each supervisor as it was: instances forever from 0.5 s to 30 s, a new count per death', () => {
    const { backoff } = backoffOn(RESTART_POLICIES.instance);
    assert.deepEqual(delays(backoff, 8), [500, 1000, 2000, 5000, 10_000, 30_000, 30_000, 30_000]);
    backoff.up();
    assert.equal(backoff.nextDelay(), 500);
  });

  it('keeps each supervisor as it was: a Python worker three tries, the first at once', () => {
    const { backoff } = backoffOn(RESTART_POLICIES.pythonWorker);
    assert.deepEqual(delays(backoff, 4), [0, 500, 2000, undefined]);
  });

  it('keeps each supervisor as it was: a batch instance four tries, then the batch fails', () => {
    const { backoff } = backoffOn(RESTART_POLICIES.batchInstance);
    assert.deepEqual(delays(backoff, 5), [500, 1000, 2000, 5000, undefined]);
    assert.equal(backoff.count, 4);
  });

  it('keeps each supervisor as it was: the embedded store forever, its count never starting over', () => {
    const { backoff, pass } = backoffOn(RESTART_POLICIES.embeddedStore);
    backoff.nextDelay();
    backoff.up();
    pass(86_400_000);
    assert.deepEqual(delays(backoff, 3), [1000, 5000, 5000]);
  });
});
