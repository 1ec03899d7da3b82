import { Agent, type AgentOptions, type ClientRequestArgs } from "node:http";
import { createConnection, type NetConnectOpts, type Socket as NetSocket } from "node:net";
import { clampDelay } from "../timers";

const kConnectTimer = Symbol("tsmicro.http.connectTimer");

type TimedConnection = NetSocket & { [kConnectTimer]?: NodeJS.Timeout };

/**
 * A keep-alive agent whose new connections fail with ETIMEDOUT when connecting takes longer
 * than `connectTimeoutMs`. Node's `timeout` option cannot do this: it is an idle timeout that
 * also runs while a reply is awaited.
 */
export class DialAgent extends Agent {
  constructor(
    options: AgentOptions,
    private readonly connectTimeoutMs: number,
  ) {
    super(options);
  }

  override createConnection(options: ClientRequestArgs): NetSocket {
    const conn: TimedConnection = createConnection(options as NetConnectOpts);
    conn[kConnectTimer] = setTimeout(connectTimedOut, clampDelay(this.connectTimeoutMs), conn, this.connectTimeoutMs);
    conn.once("connect", clearConnectTimer);
    conn.once("close", clearConnectTimer);
    return conn;
  }
}

function connectTimedOut(conn: TimedConnection, ms: number): void {
  conn[kConnectTimer] = undefined;
  conn.destroy(Object.assign(new Error(`connect timed out after ${ms} ms`), { code: "ETIMEDOUT" }));
}

function clearConnectTimer(this: TimedConnection): void {
  clearTimeout(this[kConnectTimer]);
  this[kConnectTimer] = undefined;
}
