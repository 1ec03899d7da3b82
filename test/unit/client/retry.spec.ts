import { connectionError } from "../../../src/transport/tcp/errors";
import { ErrorIds, MicroError, internalServerError, serviceUnavailable } from "../../../src/errors";
import { retryOnConnectionError, retryOnDraining } from "../../../src/client/retry";

const req = { service: "s", endpoint: "S.E", body: {} };

describe("retry policies", () => {
  it("retryOnDraining retries only a 503 tsmicro.draining, also when parsed from the wire", () => {
    const draining = serviceUnavailable("node is shutting down", ErrorIds.draining);
    expect(retryOnDraining(draining, 1, req)).toBe(true);
    expect(retryOnDraining(MicroError.parse(draining.toHeader()), 1, req)).toBe(true);
    expect(retryOnDraining(connectionError("127.0.0.1:1", "ECONNRESET"), 1, req)).toBe(false);
    expect(retryOnDraining(serviceUnavailable("busy"), 1, req)).toBe(false);
    expect(retryOnDraining(internalServerError("boom"), 1, req)).toBe(false);
    expect(retryOnDraining(new Error(ErrorIds.draining), 1, req)).toBe(false);
  });

  it("the default policy classifies a draining refusal as safe to retry", () => {
    expect(retryOnConnectionError(serviceUnavailable("node is shutting down", ErrorIds.draining), 1, req)).toBe(true);
    expect(retryOnConnectionError(serviceUnavailable("busy"), 1, req)).toBe(false);
  });
});
