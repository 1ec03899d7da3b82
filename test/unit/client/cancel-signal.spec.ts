import { ErrorIds, MemoryRegistry, MicroError, RegistrySelector, RpcClient } from "../../../src";
import { FakeTransport } from "./cancel-fakes";

// Regression: a caller's AbortSignal failed the call with 408 tsmicro.timeout and the server was
// never told, so its handler ran on; a call whose deadline passed left the server working too.

function setup(): { client: RpcClient; transport: FakeTransport } {
  const transport = new FakeTransport("fake"); // never answers
  const client = new RpcClient({ selector: new RegistrySelector({ registry: new MemoryRegistry() }), transport, retries: 3 });
  return { client, transport };
}

const cancels = (t: FakeTransport): Array<Record<string, string>> => t.sent.filter((m) => m.header["Micro-Cancel"] !== undefined).map((m) => m.header);

describe("cancelling a call", () => {
  it("fails at once with 499 tsmicro.cancelled when the caller's signal aborts, and sends a Micro-Cancel for the request", async () => {
    const { client, transport } = setup();
    const ac = new AbortController();
    const call = client.call("svc", "Svc.Do", {}, { address: "127.0.0.1:1", signal: ac.signal, timeoutMs: 3_600_000 });
    while (transport.sent.length === 0) await new Promise((r) => setImmediate(r));
    ac.abort();
    const err = (await call.catch((e: unknown) => e)) as MicroError;
    expect(MicroError.is(err)).toBe(true);
    expect(err).toMatchObject({ id: ErrorIds.cancelled, code: 499, status: "Client Closed Request" });
    const id = transport.sent[0]!.header["Micro-Id"];
    expect(cancels(transport)).toEqual([{ "Micro-Id": id, "Micro-Cancel": "1" }]);
    expect(transport.sent.filter((m) => m.header["Micro-Cancel"] === undefined)).toHaveLength(1); // never retried
    await client.close();
  });

  it("sends nothing when the signal was already aborted", async () => {
    const { client, transport } = setup();
    await expect(client.call("svc", "Svc.Do", {}, { address: "127.0.0.1:1", signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 499 });
    expect(transport.sent).toEqual([]);
    await client.close();
  });

  it("keeps a MicroError the signal aborted with (a handler's context that timed out says 408)", async () => {
    const { client } = setup();
    const ac = new AbortController();
    ac.abort(new MicroError(ErrorIds.timeout, 408, "outer deadline"));
    await expect(client.call("svc", "Svc.Do", {}, { address: "127.0.0.1:1", signal: ac.signal })).rejects.toMatchObject({ code: 408, detail: "outer deadline" });
    await client.close();
  });

  it("sends a Micro-Cancel when the call's own deadline passes, so the server stops too", async () => {
    const { client, transport } = setup();
    await expect(client.call("svc", "Svc.Do", {}, { address: "127.0.0.1:1", timeoutMs: 20 })).rejects.toMatchObject({ code: 408, id: ErrorIds.timeout });
    expect(cancels(transport)).toEqual([{ "Micro-Id": transport.sent[0]!.header["Micro-Id"], "Micro-Cancel": "timeout" }]);
    await client.close();
  });
});
