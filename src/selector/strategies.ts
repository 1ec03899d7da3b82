import type { Node } from "../registry/registry";
import type { Picker, Strategy } from "./selector";

/** A source of numbers in [0, 1); seedable in tests. */
export type Random = () => number;

/**
 * Makes a {@link Strategy}. `random`, `roundRobin` and `leastConn` are factories, not
 * strategies: call them (`strategy: roundRobin()`, or `roundRobin(seeded)` in tests).
 */
export type StrategyFactory = (rng?: Random) => Strategy;

/** Strategy factory: picks a node uniformly at random (go-micro's default). */
export const random: StrategyFactory =
  (rng: Random = Math.random): Strategy =>
  () =>
  (nodes) =>
    nodes[Math.floor(rng() * nodes.length)]!;

/**
 * Strategy factory: cycles through nodes in order. Unlike go-micro's, the position lives per
 * service across calls, so successive calls spread evenly.
 */
export const roundRobin: StrategyFactory =
  (rng: Random = Math.random): Strategy =>
  (): Picker => {
    let next = -1;
    return (nodes) => {
      if (next < 0) next = Math.floor(rng() * nodes.length);
      const node = nodes[next % nodes.length]!;
      next = (next + 1) % Number.MAX_SAFE_INTEGER;
      return node;
    };
  };

/** Strategy factory: picks the node with the fewest calls in flight from this client; ties broken at random. */
export const leastConn: StrategyFactory =
  (rng: Random = Math.random): Strategy =>
  () =>
  (nodes, inflight) => {
    let best: Node[] = [];
    let min = Infinity;
    for (const node of nodes) {
      const n = inflight(node.id);
      if (n < min) {
        min = n;
        best = [node];
      } else if (n === min) best.push(node);
    }
    return best[Math.floor(rng() * best.length)]!;
  };

/** Strategy names accepted by `--selector`. */
export const STRATEGIES: Readonly<Record<string, StrategyFactory>> = {
  random,
  roundrobin: roundRobin,
  leastconn: leastConn,
};
