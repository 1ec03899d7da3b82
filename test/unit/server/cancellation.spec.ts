import { ErrorIds, type MicroError } from "../../../src";
import { SocketCancellations } from "../../../src/server/cancellation";
import { CANCEL_TIMEOUT, Headers } from "../../../src/transport/headers";

// Regression: a call that timed out on the client sent a plain cancel, which raced the server's
// own deadline and reached the handler as 499 "cancelled" instead of the 408 it was.
describe("SocketCancellations", () => {
  const cancel = (id: string, why: string) => ({ header: { [Headers.id]: id, [Headers.cancel]: why }, body: Buffer.alloc(0) });

  it("reports a caller's cancel as 499 and a caller's passed deadline as 408", () => {
    const table = new SocketCancellations();
    const reasons: MicroError[] = [];
    table.add("a", (r) => reasons.push(r));
    table.add("b", (r) => reasons.push(r));
    table.cancel(cancel("a", "1"));
    table.cancel(cancel("b", CANCEL_TIMEOUT));
    expect(reasons.map((r) => [r.code, r.id])).toEqual([
      [499, ErrorIds.cancelled],
      [408, ErrorIds.timeout],
    ]);
  });

  it("ignores a cancel for a request that already settled", () => {
    const table = new SocketCancellations();
    const abort = jest.fn();
    table.add("a", abort);
    table.delete("a", abort);
    table.cancel(cancel("a", "1"));
    expect(abort).not.toHaveBeenCalled();
  });
});
