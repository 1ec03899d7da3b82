import { randomBytes } from "node:crypto";
import { ErrorIds, MicroError } from "../../src/errors";
import { Headers } from "../../src/transport/headers";
import type { Listener, ListenOptions, Message, Socket, Transport } from "../../src/transport/transport";

/** The body limit every listener in the contract is opened with. */
export const CONTRACT_MAX_BODY = 2 * 1024 * 1024;

/** Rejects when `promise` has not settled within `ms`: contract tests must never hang. */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not settled within ${ms} ms`)), ms);
  });
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

/** A dialed socket whose replies are matched to requests by Micro-Id. */
export interface Caller {
  readonly socket: Socket;
  call(message: Message): Promise<Message>;
}

/** Dials `address` and correlates replies by Micro-Id. */
export async function dialCaller(transport: Transport, address: string): Promise<Caller> {
  const socket = await transport.dial(address, { timeoutMs: 2000 });
  const waiting = new Map<string, (reply: Message) => void>();
  socket.onMessage((reply) => {
    const id = reply.header[Headers.id] ?? "";
    waiting.get(id)?.(reply);
    waiting.delete(id);
  });
  return {
    socket,
    async call(message) {
      const id = message.header[Headers.id]!;
      const reply = new Promise<Message>((resolve) => waiting.set(id, resolve));
      await socket.send(message);
      return within(reply, 5000, `reply to ${id}`);
    },
  };
}

/** Echoes every message back with its headers plus `X-Echoed: yes`. */
export function echo(socket: Socket, message: Message): void {
  void socket.send({ header: { ...message.header, "X-Echoed": "yes" }, body: message.body });
}

function msg(id: string, body: Buffer | string, header: Record<string, string> = {}): Message {
  return { header: { [Headers.id]: id, ...header }, body: typeof body === "string" ? Buffer.from(body) : body };
}

/**
 * The behaviour every transport must show: round trips, header and body fidelity, concurrency,
 * size limits, connection failures and draining.
 */
export function describeTransportContract(name: string, make: () => Transport): void {
  describe(`Transport contract: ${name}`, () => {
    let transport: Transport;
    let listeners: Listener[];
    let received: Message[];

    beforeEach(() => {
      transport = make();
      listeners = [];
      received = [];
    });

    afterEach(async () => {
      await Promise.all(listeners.map((l) => l.close()));
      await transport.close();
    });

    async function serve(handle: (socket: Socket, m: Message) => void, options: ListenOptions = {}): Promise<Listener> {
      const listener = await transport.listen(
        "127.0.0.1:0",
        (socket) =>
          socket.onMessage((m) => {
            received.push(m);
            handle(socket, m);
          }),
        { maxBodyBytes: CONTRACT_MAX_BODY, ...options },
      );
      listeners.push(listener);
      return listener;
    }

    it("listens on the bound loopback port and round-trips a message", async () => {
      const listener = await serve(echo);
      expect(listener.address).toMatch(/^127\.0\.0\.1:[1-9]\d*$/);
      const caller = await dialCaller(transport, listener.address);
      const reply = await caller.call(msg("1", "hello"));
      expect(reply.body.toString()).toBe("hello");
      expect(reply.header).toMatchObject({ [Headers.id]: "1", "X-Echoed": "yes" });
    });

    it("preserves headers in both directions", async () => {
      const listener = await serve(echo);
      const caller = await dialCaller(transport, listener.address);
      const header = {
        [Headers.service]: "greeter",
        [Headers.endpoint]: "Greeter.Hello",
        [Headers.contentType]: "application/json",
        [Headers.timeout]: "5000000000",
        "X-Caller-Meta": "a value, with: punctuation",
      };
      const reply = await caller.call(msg("h1", '{"name":"John"}', header));
      expect(received[0]!.header).toMatchObject({ ...header, [Headers.id]: "h1" });
      expect(reply.header).toMatchObject({ ...header, [Headers.id]: "h1" });
    });

    it("correlates 100 concurrent sends on one socket by Micro-Id", async () => {
      // Replies go out in batches of 10 in reverse arrival order, so correlation cannot rely on
      // order. (Batches, not all 100: a transport may cap the requests in flight, as HTTP/1.1 does.)
      let held: Array<[Socket, Message]> = [];
      const listener = await serve((socket, m) => {
        held.push([socket, m]);
        if (held.length < 10) return;
        for (const [s, h] of held.reverse()) echo(s, h);
        held = [];
      });
      const caller = await dialCaller(transport, listener.address);
      const replies = await Promise.all(Array.from({ length: 100 }, (_, i) => caller.call(msg(`c-${i}`, `payload-${i}`))));
      replies.forEach((reply, i) => {
        expect(reply.header[Headers.id]).toBe(`c-${i}`);
        expect(reply.body.toString()).toBe(`payload-${i}`);
      });
    });

    it("carries a binary body with every byte value intact", async () => {
      const listener = await serve(echo);
      const caller = await dialCaller(transport, listener.address);
      const body = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      const reply = await caller.call(msg("b", body));
      expect(received[0]!.body.equals(body)).toBe(true);
      expect(reply.body.equals(body)).toBe(true);
    });

    it("carries a 1 MiB body", async () => {
      const listener = await serve(echo);
      const caller = await dialCaller(transport, listener.address);
      const body = randomBytes(1024 * 1024);
      const reply = await caller.call(msg("big", body));
      expect(reply.body.equals(body)).toBe(true);
    });

    it("refuses a body over the limit with a 413 and keeps serving", async () => {
      const listener = await serve(echo);
      const caller = await dialCaller(transport, listener.address);
      const reply = await caller.call(msg("huge", Buffer.alloc(CONTRACT_MAX_BODY + 1)));
      const err = MicroError.parse(reply.header[Headers.error] ?? "");
      expect(err).toMatchObject({ code: 413, id: ErrorIds.tooLarge });
      expect(err.detail).toContain(String(CONTRACT_MAX_BODY));
      expect(received).toHaveLength(0);
      const next = await caller.call(msg("after", "still here"));
      expect(next.body.toString()).toBe("still here");
    });

    it("fails fast with a 503 connection error when nothing listens", async () => {
      const listener = await transport.listen("127.0.0.1:0", () => undefined);
      const address = listener.address;
      await listener.close();
      const started = Date.now();
      const attempt = (async () => {
        const socket = await transport.dial(address, { timeoutMs: 2000 });
        await socket.send(msg("x", "nobody home"));
      })();
      const err: unknown = await within(attempt, 3000, "send to a closed port").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(MicroError);
      expect(err).toMatchObject({ code: 503, id: ErrorIds.connection });
      expect((err as MicroError).detail).toContain(address);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it("answers in-flight requests while draining and refuses later ones", async () => {
      const held: Array<[Socket, Message]> = [];
      let arrived!: () => void;
      const allArrived = new Promise<void>((resolve) => (arrived = resolve));
      const listener = await serve((socket, m) => {
        held.push([socket, m]);
        if (held.length === 3) arrived();
      });
      const caller = await dialCaller(transport, listener.address);
      const inflight = [0, 1, 2].map((i) => caller.call(msg(`in-${i}`, `in-${i}`)));
      await within(allArrived, 5000, "in-flight requests arriving");

      const closing = listener.close();
      const late = await within(Promise.allSettled([caller.call(msg("late-0", "x")), caller.call(msg("late-1", "y"))]), 5000, "late sends");
      for (const outcome of late) {
        if (outcome.status === "rejected") {
          expect(outcome.reason).toMatchObject({ code: 503 });
          expect([ErrorIds.connection, ErrorIds.draining]).toContain((outcome.reason as MicroError).id);
        } else {
          expect(MicroError.parse(outcome.value.header[Headers.error] ?? "")).toMatchObject({ code: 503, id: ErrorIds.draining });
        }
      }

      for (const [socket, m] of held) echo(socket, m);
      const replies = await within(Promise.all(inflight), 5000, "in-flight replies");
      expect(replies.map((r) => r.body.toString())).toEqual(["in-0", "in-1", "in-2"]);
      await within(closing, 5000, "listener close");
      expect(received).toHaveLength(3);
    });

    it("closes the listener idempotently", async () => {
      const listener = await serve(echo);
      const caller = await dialCaller(transport, listener.address);
      await caller.call(msg("1", "warm the pool"));
      await within(Promise.all([listener.close(), listener.close()]), 5000, "concurrent closes");
      await listener.close();
      await transport.close();
      await transport.close();
    });

    it("tells the server socket when the client closes", async () => {
      let closed!: () => void;
      const serverSocketClosed = new Promise<void>((resolve) => (closed = resolve));
      const listener = await transport.listen("127.0.0.1:0", (socket) => {
        socket.onMessage((m) => echo(socket, m));
        socket.onClose(() => closed());
      });
      listeners.push(listener);
      const caller = await dialCaller(transport, listener.address);
      await caller.call(msg("1", "hi"));
      await caller.socket.close();
      await caller.socket.close();
      await within(serverSocketClosed, 5000, "server socket close");
      await expect(caller.socket.send(msg("2", "after close"))).rejects.toMatchObject({ code: 503, id: ErrorIds.connection });
    });
  });
}
