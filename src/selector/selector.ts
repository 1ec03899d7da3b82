import type { Node, ServiceRecord } from "../registry/registry";

/** Narrows the versions/nodes a call may go to. Pure: returns new arrays, never mutates. */
export type Filter = (services: readonly ServiceRecord[]) => ServiceRecord[];

/** Picks one node from candidates; `inflight` reports calls in progress per node id. */
export type Picker = (nodes: readonly Node[], inflight: (nodeId: string) => number) => Node;

/** Makes the picker for one service; called once per service so a picker may keep state. */
export type Strategy = () => Picker;

/** Per-call selection options. */
export interface SelectOptions {
  filters?: readonly Filter[];
  /** Overrides the selector's strategy for this call (state is then per call). */
  strategy?: Strategy;
}

/**
 * Returns the next node to try. Nodes in `tried` (this call's earlier attempts) and nodes
 * recently marked dead are avoided while others remain.
 */
export type Next = (tried?: ReadonlySet<string>) => Node;

/** Chooses a node of a service for each call. */
export interface Selector {
  readonly name: string;
  /**
   * Resolves the service's nodes (404 when it has none) and returns a Next for this call;
   * synchronously when the nodes are cached, so a warm call costs no extra await.
   */
  select(service: string, options?: SelectOptions): Next | Promise<Next>;
  /** Reports the outcome of a call to `node` that Next returned; ends its in-flight count. */
  mark(service: string, node: Node, error?: Error): void;
  /** Forgets cached nodes and marks for `service`. */
  reset(service: string): void;
  close(): Promise<void>;
}
