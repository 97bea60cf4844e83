import { ApiError } from '../errors';
import { log } from '../log';

/** For each status, the statuses it may move to; a status that may move nowhere is terminal. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** What a kind of record (a job version, a service, a model …) tells its machine. */
export interface Lifecycle<S extends string, R> {
  readonly table: TransitionTable<S>;
  /** The subject's status now. */
  status(subject: R): S;
  /** Writes `to` into the subject with what follows from it (phase times, updated_at, durations). */
  enter(subject: R, to: S, at: Date): void;
  /** How a refusal names the subject: `training job mnist V0001`, `service digits`. */
  describe(subject: R): string;
}

/** One move that happened, as listeners hear it. */
export interface Transition<S extends string, R> {
  readonly subject: R;
  readonly from: S;
  readonly to: S;
  readonly at: Date;
}

export type TransitionListener<S extends string, R> = (transition: Transition<S, R>) => void;

/**
 * The one guarded transition of every record with a status (TF Serving's ManagerState and
 * LocalStack's RuntimeStatus are the models). `transition` refuses any move the table does not
 * list — a move to the status a subject already has too, so a caller that means "stay" says so
 * — then tells every listener, so figures and records follow from the move itself.
 *
 * A machine holds its listeners: whoever listens makes its own (one platform's metrics must not
 * hear another's moves); a machine nobody listens to may be a module constant.
 */
export class StateMachine<S extends string, R> {
  private readonly listeners: TransitionListener<S, R>[] = [];

  constructor(private readonly lifecycle: Lifecycle<S, R>) {}

  canMove(from: S, to: S): boolean {
    return this.lifecycle.table[from].includes(to);
  }

  isTerminal(status: S): boolean {
    return isTerminalIn(this.lifecycle.table, status);
  }

  /** Adds a listener; the returned function removes it. */
  onTransition(listener: TransitionListener<S, R>): () => void {
    this.listeners.push(listener);
    return () => {
      const at = this.listeners.indexOf(listener);
      if (at !== -1) this.listeners.splice(at, 1);
    };
  }

  /** Moves `subject` to `to`, or throws `wrong_state` (409) naming both statuses. */
  transition(subject: R, to: S, at = new Date()): Transition<S, R> {
    const from = this.lifecycle.status(subject);
    if (!this.canMove(from, to)) {
      throw new ApiError('wrong_state', `${this.lifecycle.describe(subject)} is ${from}; it cannot become ${to}`);
    }
    this.lifecycle.enter(subject, to, at);
    const done: Transition<S, R> = { subject, from, to, at };
    for (const listener of [...this.listeners]) tell(listener, done, this.lifecycle.describe(subject));
    return done;
  }
}

/** Whether `status` may move nowhere in `table`. */
export function isTerminalIn<S extends string>(table: TransitionTable<S>, status: S): boolean {
  return table[status].length === 0;
}

/** A listener that throws must not undo a move already made, nor stop the others hearing it; it is logged. */
function tell<S extends string, R>(listener: TransitionListener<S, R>, transition: Transition<S, R>, subject: string): void {
  try {
    listener(transition);
  } catch (err) {
    log.error(`a listener of ${subject}'s move from ${transition.from} to ${transition.to} failed:`, err);
  }
}
