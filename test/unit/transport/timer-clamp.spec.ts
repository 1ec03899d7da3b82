import { ClientConnection } from "../../../src/client/connection";
import { MAX_DELAY_MS } from "../../../src/internal/timers";
import { Headers } from "../../../src/transport/headers";
import { HttpTransport } from "../../../src/transport/http";
import { TcpTransport } from "../../../src/transport/tcp";
import type { Transport } from "../../../src/transport/transport";
import { echo } from "../../contract/transport.contract";

// Node fires a timer whose delay does not fit in 32 bits after 1 ms: an option of "a very long
// time" would mean "at once". Every timer the transports arm from an option must be clamped.
const HUGE = 2 ** 33;

describe("timers fed from transport options", () => {
  let delays: number[];
  let spies: jest.SpyInstance[];

  beforeEach(() => {
    delays = [];
    const realTimeout = global.setTimeout;
    const realInterval = global.setInterval;
    const timeout = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
      delays.push(ms ?? 0);
      return realTimeout(fn, ms, ...args);
    };
    const interval = (fn: (...a: unknown[]) => void, ms?: number, ...args: unknown[]): NodeJS.Timeout => {
      delays.push(ms ?? 0);
      return realInterval(fn, ms, ...args);
    };
    spies = [
      jest.spyOn(process, "emitWarning").mockImplementation((w: string | Error) => void delays.push(String(w).includes("32-bit") ? Number.NaN : 0)),
      jest.spyOn(global, "setTimeout").mockImplementation(timeout as unknown as typeof setTimeout),
      jest.spyOn(global, "setInterval").mockImplementation(interval as unknown as typeof setInterval),
    ];
  });
  afterEach(() => spies.forEach((s) => s.mockRestore()));

  it.each<[string, () => Transport]>([
    [
      "tcp",
      () =>
        new TcpTransport({ closeTimeoutMs: HUGE, dialTimeoutMs: HUGE, handshakeTimeoutMs: HUGE, idleTimeoutMs: HUGE, requestTimeoutMs: HUGE }),
    ],
    ["http", () => new HttpTransport({ closeTimeoutMs: HUGE, dialTimeoutMs: HUGE, headersTimeoutMs: HUGE, requestTimeoutMs: HUGE, keepAliveTimeoutMs: HUGE, idleTimeoutMs: HUGE })],
  ])("are clamped on %s: listen, dial, call, close", async (_, make) => {
    const transport = make();
    const listener = await transport.listen("127.0.0.1:0", (s) => s.onMessage((m) => echo(s, m)), { closeTimeoutMs: HUGE });
    const sock = await transport.dial(listener.address);
    const conn = new ClientConnection(listener.address, sock, () => undefined);
    const reply = await conn.request({ header: { [Headers.id]: "c1" }, body: Buffer.from("hi") });
    expect(reply.body.toString()).toBe("hi");
    await transport.close();
    await listener.close();
    expect(delays.length).toBeGreaterThan(0);
    expect(delays.filter((ms) => !(ms >= 0 && ms <= MAX_DELAY_MS))).toEqual([]);
  });
});
