import { CodecSet, JsonCodec, MicroError, SilentLogger, type Context, type HandlerDescriptor } from "../../../src";
import { dispatch, invokeHandler } from "../../../src/server/dispatch";
import { Router } from "../../../src/server/router";
import { watchTimerDelays } from "../../helpers/timer-overflow";

// Regression: a Timeout header of 2^31 ms or more was passed straight to setTimeout, which then
// fired after 1 ms: the call got 408 at once and Node printed a TimeoutOverflowWarning per request.

describe("dispatch with a huge Timeout header", () => {
  it.each([
    ["2^31 ms", String(2 ** 31 * 1_000_000)],
    ["720 h", String(720 * 3600 * 1000 * 1_000_000)],
    ["1e30 ns", "1000000000000000000000000000000"],
  ])("runs the handler and answers normally for %s, arming no overflowing timer", async (_what, timeoutNs) => {
    const timers = watchTimerDelays();
    try {
      let remaining = 0;
      const handler: HandlerDescriptor = {
        endpoint: "Svc.Slowish",
        // Resolves only after a macrotask, so a 1 ms deadline timer, had it been armed, would win the race.
        invoke: (_r, ctx: Context) => new Promise((resolve) => setTimeout(() => resolve((remaining = ctx.remainingMs(), "done")), 5)),
        validate: false,
        metadata: {},
      };
      const router = new Router();
      router.add(handler);
      const deps = { service: "svc", router, codecs: new CodecSet([new JsonCodec()]), chain: invokeHandler, logger: new SilentLogger() };
      const reply = await dispatch(deps, {
        header: { "Micro-Id": "1", "Micro-Endpoint": "Svc.Slowish", "Content-Type": "application/json", Timeout: timeoutNs },
        body: Buffer.from("{}"),
      });
      const error = reply.header["Micro-Error"];
      expect(error ? MicroError.parse(error).toJSON() : undefined).toBeUndefined();
      expect(JSON.parse(reply.body.toString())).toBe("done");
      expect(remaining).toBeGreaterThan(2 ** 31 - 1000);
      expect(timers.overflows).toEqual([]);
    } finally {
      timers.restore();
    }
  });
});
