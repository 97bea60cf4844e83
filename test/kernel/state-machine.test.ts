import assert from 'node:assert/strict';
import { ApiError } from '../../kernel/errors';
import { StateMachine, type Transition } from '../../kernel/lifecycle/state-machine';
import { jobStateMachine } from '../../jobs/state-machine';
import type { JobRecord, JobVersion } from '../../jobs/job-record';

type Light = 'off' | 'warming' | 'on' | 'broken';
interface Lamp {
  name: string;
  status: Light;
  since?: string;
}

function lampMachine(): StateMachine<Light, Lamp> {
  return new StateMachine<Light, Lamp>({
    table: { off: ['warming'], warming: ['on', 'broken'], on: ['off', 'broken'], broken: [] },
    status: (lamp) => lamp.status,
    describe: (lamp) => `lamp ${lamp.name}`,
    enter(lamp, to, at) {
      lamp.status = to;
      lamp.since = at.toISOString();
    },
  });
}

describe('the state machine primitive', () => {
  it('moves along the table and lets the kind write what follows from the move', () => {
    const lamp: Lamp = { name: 'desk', status: 'off' };
    const at = new Date('2026-01-02T03:04:05Z');
    const move = lampMachine().transition(lamp, 'warming', at);
    assert.deepEqual(move, { subject: lamp, from: 'off', to: 'warming', at });
    assert.equal(lamp.status, 'warming');
    assert.equal(lamp.since, '2026-01-02T03:04:05.000Z');
  });

  it('refuses a move the table does not list with a 409 naming the subject and both statuses, changing nothing', () => {
    const lamp: Lamp = { name: 'desk', status: 'off' };
    assert.throws(
      () => lampMachine().transition(lamp, 'on'),
      (err: unknown) => err instanceof ApiError && err.kind === 'wrong_state' && err.status === 409 && err.message === 'lamp desk is off; it cannot become on',
    );
    assert.deepEqual(lamp, { name: 'desk', status: 'off' });
  });

  it('refuses a move to the status the subject already has', () => {
    const lamp: Lamp = { name: 'desk', status: 'on' };
    assert.throws(() => lampMachine().transition(lamp, 'on'), /lamp desk is on; it cannot become on/);
  });

  it('calls a status with no way out terminal', () => {
    const machine = lampMachine();
    assert.equal(machine.isTerminal('broken'), true);
    assert.equal(machine.isTerminal('on'), false);
    assert.equal(machine.canMove('on', 'broken'), true);
    assert.equal(machine.canMove('broken', 'on'), false);
  });

  it('tells every listener of each move after it is made, until the listener is removed', () => {
    const machine = lampMachine();
    const heard: string[] = [];
    const stop = machine.onTransition((t: Transition<Light, Lamp>) => heard.push(`${t.subject.name}: ${t.from} → ${t.to} (now ${t.subject.status})`));
    const lamp: Lamp = { name: 'desk', status: 'off' };
    machine.transition(lamp, 'warming');
    stop();
    machine.transition(lamp, 'on');
    assert.deepEqual(heard, ['desk: off → warming (now warming)']);
  });

  it('does not tell listeners of a refused move', () => {
    const machine = lampMachine();
    let heard = 0;
    machine.onTransition(() => heard++);
    assert.throws(() => machine.transition({ name: 'desk', status: 'broken' }, 'off'));
    assert.equal(heard, 0);
  });

  it('keeps a move and tells the other listeners when one listener throws', () => {
    const machine = lampMachine();
    const heard: Light[] = [];
    machine.onTransition(() => {
      throw new Error('a broken listener');
    });
    machine.onTransition((t) => heard.push(t.to));
    const lamp: Lamp = { name: 'desk', status: 'off' };
    machine.transition(lamp, 'warming');
    assert.equal(lamp.status, 'warming');
    assert.deepEqual(heard, ['warming']);
  });

  it('keeps the listeners of two machines of one kind apart', () => {
    const [a, b] = [lampMachine(), lampMachine()];
    const heard: string[] = [];
    a.onTransition(() => heard.push('a'));
    b.onTransition(() => heard.push('b'));
    b.transition({ name: 'hall', status: 'off' }, 'warming');
    assert.deepEqual(heard, ['b']);
  });
});

describe('the job state machine', () => {
  function job(): { job: JobRecord; version: JobVersion } {
    const version = { version: 'V0001', status: 'Pending', phases: { Creating: '2026-01-01T00:00:00.000Z', Pending: '2026-01-01T00:00:01.000Z' }, pids: [42] } as unknown as JobVersion;
    return { job: { name: 'mnist', status: 'Pending', versions: [version] } as unknown as JobRecord, version };
  }

  it('stamps the phase, the duration at the end, forgets the processes and moves the job with its latest version', () => {
    const subject = job();
    const machine = jobStateMachine();
    machine.transition(subject, 'Running', new Date('2026-01-01T00:00:02.000Z'));
    machine.transition(subject, 'Completed', new Date('2026-01-01T00:00:12.000Z'));
    assert.equal(subject.job.status, 'Completed');
    assert.equal(subject.version.phases.Completed, '2026-01-01T00:00:12.000Z');
    assert.equal(subject.version.duration_ms, 10_000);
    assert.equal(subject.version.pids, undefined);
  });

  it('refuses to bring a finished version back', () => {
    const subject = job();
    const machine = jobStateMachine();
    machine.transition(subject, 'Failed');
    assert.throws(() => machine.transition(subject, 'Running'), /training job mnist V0001 is Failed; it cannot become Running/);
  });
});
