import { loggingCallWrapper, loggingHandlerWrapper, notFound } from "../../../src";
import { RecordingLogger } from "../../helpers/recording-logger";
import { context, request } from "./fixtures";

describe("logging wrappers", () => {
  it("logs one line per request with endpoint, caller and duration; 4xx at warn and 5xx at error", async () => {
    const logger = new RecordingLogger();
    const ok = loggingHandlerWrapper()(async () => "ran");
    await ok(request("A.Do"), context("web", logger));
    const missing = loggingHandlerWrapper()(() => Promise.reject(notFound("no such user")));
    await expect(missing(request("A.Get"), context("web", logger))).rejects.toMatchObject({ code: 404 });
    const broken = loggingHandlerWrapper({ logger })(() => Promise.reject(new Error("db down")));
    await expect(broken(request("A.Put"), context())).rejects.toThrow("db down");
    expect(logger.lines.map((l) => `${l.level} ${l.msg} ${String(l.fields.endpoint)}`)).toEqual([
      "info handled A.Do",
      "warn handled failed A.Get",
      "error handled failed A.Put",
    ]);
    expect(logger.lines[0]!.fields).toMatchObject({ caller: "web", ms: expect.any(Number) });
    expect(logger.lines[1]!.fields.error).toMatchObject({ code: 404, detail: "no such user" });
  });

  it("logs one line per client call at the chosen level", async () => {
    const logger = new RecordingLogger();
    const call = loggingCallWrapper({ logger, level: "debug" })(async () => 1);
    await call({ service: "s", endpoint: "S.E", body: {} }, {} as never);
    expect(logger.lines).toEqual([{ level: "debug", msg: "called", fields: { service: "s", endpoint: "S.E", ms: expect.any(Number) } }]);
  });
});
