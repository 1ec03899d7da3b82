import { ClientConnection } from "../../../src/client/connection";
import { ErrorIds, serviceUnavailable, type Message, type Socket } from "../../../src";

/** A socket whose send fails (nothing written) or succeeds, and that the test can close. */
function socket(sendFails: boolean): { socket: Socket; close: (err?: Error) => void } {
  let closed: (err?: Error) => void = () => undefined;
  return {
    socket: {
      local: "l",
      remote: "r",
      send: () => (sendFails ? Promise.reject(serviceUnavailable("cannot reach r: ECONNREFUSED", ErrorIds.connection)) : Promise.resolve()),
      onMessage: () => undefined,
      onClose: (h) => (closed = h),
      close: async () => undefined,
    },
    close: (err) => closed(err),
  };
}

const msg = (id: string): Message => ({ header: { "Micro-Id": id }, body: Buffer.alloc(0) });

// Regression: every pending request failed with tsmicro.connection when its socket closed, an id
// that means "never delivered", so the client retried requests whose handler may have run.
describe("ClientConnection error classification", () => {
  it("fails a request whose send failed with tsmicro.connection (never delivered)", async () => {
    const s = socket(true);
    const conn = new ClientConnection("r", s.socket, () => undefined);
    await expect(conn.request(msg("1"))).rejects.toMatchObject({ code: 503, id: ErrorIds.connection });
  });

  it("fails a sent request whose connection then closed with tsmicro.connection_lost (may have run)", async () => {
    const s = socket(false);
    const conn = new ClientConnection("r", s.socket, () => undefined);
    const pending = conn.request(msg("2"));
    s.close(new Error("ECONNRESET"));
    await expect(pending).rejects.toMatchObject({ code: 503, id: ErrorIds.connectionLost, detail: expect.stringContaining("ECONNRESET") });
  });
});
