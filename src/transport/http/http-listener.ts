import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket as NetSocket } from "node:net";
import type { Duplex } from "node:stream";
import { Sweeper } from "../../internal/sweeper";
import { clampDelay } from "../../internal/timers";
import { ErrorIds, MicroError, methodNotAllowed, notFound, serviceUnavailable } from "../../errors";
import type { Logger } from "../../logger/logger";
import { Headers } from "../headers";
import type { Listener, Socket } from "../transport";
import { bindServer } from "../../internal/address";
import { HttpDeadline, type HttpExpiry } from "./deadlines";
import { HttpServerSocket, type ConnectionOwner } from "./http-server-socket";
import { receiveBody } from "./inbound";
import { readHeaders, tooLarge, writeError } from "../../internal/http/wire";
import { HttpStreamMailboxes } from "./stream-mailboxes";

/** What a listener is configured with (resolved from transport and listen options). */
export interface HttpListenerConfig {
  maxBodyBytes: number;
  closeTimeoutMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  logger?: Logger;
}

const kSocket = Symbol("tsmicro.http.socket");
const kDeadline = Symbol("tsmicro.http.deadline");

type TaggedConnection = NetSocket & { [kSocket]?: HttpServerSocket; [kDeadline]?: HttpDeadline };

// The raw answers to bytes that are not HTTP and to a request that did not arrive in time: the
// parser is gone (or never made a response object) by then, so they are written by hand, with
// the error in the Micro-Error header and as the body, like every other refusal.
const MALFORMED = rawRefusal(new MicroError(ErrorIds.malformed, 400, "malformed HTTP request"));
const TIMED_OUT = rawRefusal(new MicroError(ErrorIds.timeout, 408, "the request did not arrive in time"));

function rawRefusal(err: MicroError): Buffer {
  const json = err.toHeader();
  return Buffer.from(
    `HTTP/1.1 ${err.code} ${err.status}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(json)}\r\nMicro-Error: ${json}\r\n\r\n${json}`,
  );
}

/**
 * A node:http server speaking go-micro's HTTP framing: each connection becomes one server
 * `Socket`, each `POST /` on it one delivered message.
 */
export class HttpListener implements Listener, ConnectionOwner {
  draining = false;
  readonly logger?: Logger;
  readonly streams = new HttpStreamMailboxes();
  private bound = "";
  private closing?: Promise<void>;
  private readonly server: Server;
  private readonly sockets = new Set<HttpServerSocket>();
  private onEmpty?: () => void;
  private readonly sweeper: Sweeper;

  constructor(
    private readonly accept: (socket: Socket) => void,
    private readonly config: HttpListenerConfig,
  ) {
    this.logger = config.logger;
    const timeouts = [config.headersTimeoutMs, config.requestTimeoutMs, config.keepAliveTimeoutMs].filter((ms) => ms > 0);
    this.sweeper = new Sweeper(Sweeper.intervalFor(Math.min(...timeouts)));
    this.server = createServer({ requestTimeout: clampDelay(config.requestTimeoutMs), requireHostHeader: false, noDelay: true });
    // The sweep holds idle connections to keepAliveTimeoutMs (HttpDeadline). node:http's own
    // keep-alive timeout would re-arm a socket timer at every response and clear it at every
    // request, and add a `Keep-Alive: timeout=…` hint that go-micro's Go clients ignore.
    this.server.keepAliveTimeout = 0;
    this.server.on("connection", this.onConnection);
    this.server.on("request", this.onRequest);
    this.server.on("checkContinue", this.onCheckContinue);
    this.server.on("clientError", this.onClientError);
  }

  get address(): string {
    return this.bound;
  }

  /** Binds the server to `address` (`host:port`; port 0 picks a free one). */
  async bind(address: string): Promise<void> {
    this.bound = await bindServer(this.server, address);
    this.server.on("error", (err) => this.logger?.error("http transport: server error", { error: String(err) }));
  }

  /**
   * Serves HTTP on a connection accepted elsewhere (the tcp transport hands over connections
   * whose first bytes are not its preface, so one port speaks both).
   */
  adopt(conn: NetSocket): void {
    this.server.emit("connection", conn);
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.draining = true;
      // The safety bound: connections whose replies never come are destroyed, so close cannot hang.
      const timer = setTimeout(() => {
        this.streams.clear();
        for (const sock of this.sockets) sock.destroy();
      }, clampDelay(this.config.closeTimeoutMs));
      const done = (): void => {
        clearTimeout(timer);
        this.streams.clear();
        this.sweeper.stop();
        resolve();
      };
      if (this.bound) {
        // server.close stops accepting and (Node >= 19) closes idle keep-alive connections; busy
        // ones close after their reply, which carries `Connection: close` while draining.
        // Open streams need new connections for their next POSTs (new work is refused meanwhile),
        // so accepting stops once they ended (or the timer above gives up on them).
        void this.streams.whenEmpty().then(() => this.server.close(done));
        return;
      }
      // Adopted connections only: close the idle ones now, the busy ones after their reply.
      for (const sock of this.sockets) if (sock.idle) sock.destroy();
      if (this.sockets.size === 0) done();
      else this.onEmpty = done;
    });
    return this.closing;
  }

  private readonly onConnection = (conn: NetSocket): void => {
    const sock = new HttpServerSocket(conn, this);
    (conn as TaggedConnection)[kSocket] = sock;
    this.sockets.add(sock);
    const deadline = new HttpDeadline(conn, this.config, Date.now(), this.onExpired);
    (conn as TaggedConnection)[kDeadline] = deadline;
    this.sweeper.add(deadline);
    conn.once("close", () => {
      this.sweeper.delete(deadline);
      this.sockets.delete(sock);
      sock.handleClose();
      if (this.sockets.size === 0) this.onEmpty?.();
    });
    try {
      this.accept(sock);
    } catch (err) {
      this.logger?.error("http transport: accept handler threw", { remote: sock.remote, error: String(err) });
      conn.destroy();
    }
  };

  private readonly onExpired = (deadline: HttpDeadline, why: HttpExpiry): void => {
    const conn = deadline.conn;
    const sock = (conn as TaggedConnection)[kSocket];
    this.logger?.debug("http transport: connection timed out", { remote: sock?.remote, waitingFor: why });
    // An idle connection just goes; a late request is told why, unless a response is under way.
    if (why === "idle" || deadline.response?.headersSent === true || !conn.writable) {
      conn.destroy();
      return;
    }
    conn.end(TIMED_OUT, () => conn.destroy());
  };

  private readonly onRequest = (req: IncomingMessage, res: ServerResponse): void => this.receive(req, res, false);

  private readonly onCheckContinue = (req: IncomingMessage, res: ServerResponse): void => this.receive(req, res, true);

  private receive(req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): void {
    (req.socket as TaggedConnection)[kDeadline]?.request(req, res, Date.now());
    const sock = (req.socket as TaggedConnection)[kSocket];
    if (sock === undefined) {
      res.destroy();
      return;
    }
    const header: Record<string, string> = {};
    const length = readHeaders(req.rawHeaders, header);
    const given = header[Headers.id];
    // A refusal sent before the body was read closes the connection, so no body is left to drain.
    const unread = length !== 0;
    const url = req.url ?? "";
    if (url !== "/" && !url.startsWith("/?")) {
      writeError(res, notFound(`nothing at ${url.slice(0, 128)}: messages are POSTed to /`), given, unread);
    } else if (req.method !== "POST") {
      writeError(res, methodNotAllowed(`${req.method ?? ""} is not allowed: messages are POSTed to /`), given, unread);
    } else if (this.draining && !this.streams.has(header[Headers.stream] ?? "")) {
      // Streams open when the drain began go on (up to the drain timeout); nothing new starts.
      writeError(res, serviceUnavailable("server is shutting down", ErrorIds.draining), given, true);
    } else if (length > this.config.maxBodyBytes) {
      writeError(res, tooLarge(length, this.config.maxBodyBytes), given, true);
    } else {
      const id = given ?? (header[Headers.id] = randomUUID());
      receiveBody(req, res, sock, id, header, this.config.maxBodyBytes);
      if (expectsContinue) res.writeContinue();
    }
  }

  private readonly onClientError = (err: NodeJS.ErrnoException, conn: Duplex): void => {
    const sock = (conn as TaggedConnection)[kSocket];
    sock?.fail(err);
    this.logger?.debug("http transport: client error", { remote: sock?.remote, code: err.code, error: err.message });
    // Only answer when no response is under way on this connection (node's own rule).
    const busy = (conn as { _httpMessage?: unknown })._httpMessage != null;
    if (err.code === "ECONNRESET" || !conn.writable || busy) {
      conn.destroy();
      return;
    }
    conn.end(MALFORMED, () => conn.destroy());
  };
}
