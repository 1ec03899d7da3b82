import { connectionError } from "../../../src/transport/tcp/errors";
import { ErrorIds, MicroError, internalServerError, serviceUnavailable, timeout } from "../../../src/errors";
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

  // Regression: the default policy retried every 408 and every closed connection, so a handler
  // whose node died mid-call (or that ran past its deadline) could run twice.
  it("the default policy retries a lost connection or a 408 only for an endpoint its node advertises idempotent", () => {
    const node = { id: "n", address: "127.0.0.1:1", metadata: {} };
    const lost = serviceUnavailable("connection closed while waiting", ErrorIds.connectionLost);
    expect(retryOnConnectionError(lost, 1, req)).toBe(false);
    expect(retryOnConnectionError(timeout("late"), 1, req)).toBe(false);
    expect(retryOnConnectionError(lost, 1, req, { node, idempotent: false })).toBe(false);
    expect(retryOnConnectionError(lost, 1, req, { node, idempotent: true })).toBe(true);
    expect(retryOnConnectionError(timeout("late"), 1, req, { node, idempotent: true })).toBe(true);
    expect(retryOnConnectionError(internalServerError("boom"), 1, req, { node, idempotent: true })).toBe(false);
  });

  it("the default policy retries refusals that happen before any handler: overloaded, circuit open, connect failed", () => {
    for (const id of [ErrorIds.overloaded, ErrorIds.circuitOpen, ErrorIds.connection]) {
      expect(retryOnConnectionError(serviceUnavailable("refused", id), 1, req)).toBe(true);
    }
  });
});
