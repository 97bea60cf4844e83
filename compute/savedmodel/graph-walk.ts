/** Reachability over a graph held as name → node. */
import { parseRef, type NodeJson } from './graph-types';

/** Names of the nodes `targets` depend on (themselves included), through data inputs and, if asked, control inputs. */
export function reachable(graph: Map<string, NodeJson>, targets: string[], control: boolean): Set<string> {
  const seen = new Set<string>();
  const stack = targets.map((t) => parseRef(t).node);
  while (stack.length) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    const node = graph.get(name);
    if (!node) continue;
    seen.add(name);
    for (const input of node.input ?? []) {
      const ref = parseRef(input);
      if (!ref.control || control) stack.push(ref.node);
    }
  }
  return seen;
}
