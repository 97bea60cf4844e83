/**
 * Watches a version's started workers, wherever they run, until every one has ended: the
 * first failure decides (worker-set.ts), and the workers still running are then stopped,
 * SIGTERM first and SIGKILL after the grace period.
 */
import type { StartedNode } from './executor';
import { WorkerSet, type WorkerOutcome } from './worker-set';

export async function superviseWorkers(
  started: StartedNode[],
  tasks: string[],
  stopGraceMs: number,
  note: (line: string) => void,
): Promise<WorkerOutcome> {
  const set = new WorkerSet(tasks);
  const timers: NodeJS.Timeout[] = [];
  await Promise.all(
    started.map(async (node, index) => {
      const exit = await node.exited;
      const stop = set.exited(index, exit);
      if (!stop.length) return;
      note(`${tasks[index]} ${exit.lost ? 'was lost' : exit.reason}: stopping ${stop.join(', ')} (SIGTERM, SIGKILL after ${stopGraceMs} ms)`);
      for (const task of stop) {
        const other = started[tasks.indexOf(task)];
        other.signal('SIGTERM');
        timers.push(setTimeout(() => other.signal('SIGKILL'), stopGraceMs));
      }
    }),
  );
  timers.forEach(clearTimeout);
  return set.outcome();
}
