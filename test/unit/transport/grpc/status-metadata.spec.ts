import { ErrorIds, MicroError } from "../../../../src/errors";
import { codecContentType, endpointOfPath, formatGrpcTimeout, grpcContentType, parseGrpcTimeout, pathOfEndpoint } from "../../../../src/transport/grpc/metadata";
import { decodeGrpcMessage, encodeGrpcMessage, GrpcStatus, grpcStatusOf, microErrorOf } from "../../../../src/transport/grpc/status";
import { frameMessage, MessageReader } from "../../../../src/transport/grpc/framing";

describe("gRPC status <-> MicroError", () => {
  it.each([
    [400, ErrorIds.validation, GrpcStatus.INVALID_ARGUMENT],
    [401, ErrorIds.unauthorized, GrpcStatus.UNAUTHENTICATED],
    [403, ErrorIds.forbidden, GrpcStatus.PERMISSION_DENIED],
    [404, ErrorIds.notFound, GrpcStatus.NOT_FOUND],
    [404, ErrorIds.endpointNotFound, GrpcStatus.UNIMPLEMENTED],
    [404, ErrorIds.serviceNotFound, GrpcStatus.UNIMPLEMENTED],
    [408, ErrorIds.timeout, GrpcStatus.DEADLINE_EXCEEDED],
    [409, ErrorIds.conflict, GrpcStatus.ALREADY_EXISTS],
    [413, ErrorIds.tooLarge, GrpcStatus.RESOURCE_EXHAUSTED],
    [429, ErrorIds.rateLimited, GrpcStatus.RESOURCE_EXHAUSTED],
    [499, ErrorIds.cancelled, GrpcStatus.CANCELLED],
    [500, ErrorIds.internal, GrpcStatus.INTERNAL],
    [503, ErrorIds.unavailable, GrpcStatus.UNAVAILABLE],
    [418, "app.teapot", GrpcStatus.UNKNOWN],
    [507, "app.storage", GrpcStatus.INTERNAL],
  ])("%i %s → %i", (code, id, status) => {
    expect(grpcStatusOf(new MicroError(id, code, "x"))).toBe(status);
  });

  it.each([
    [GrpcStatus.INVALID_ARGUMENT, 400],
    [GrpcStatus.UNIMPLEMENTED, 404],
    [GrpcStatus.DEADLINE_EXCEEDED, 408],
    [GrpcStatus.CANCELLED, 499],
    [GrpcStatus.UNAVAILABLE, 503],
    [GrpcStatus.UNAUTHENTICATED, 401],
    [GrpcStatus.RESOURCE_EXHAUSTED, 429],
    [99, 500],
  ])("status %i from a stock peer is a %i", (status, code) => {
    const e = microErrorOf(status, "detail");
    expect(e.code).toBe(code);
    expect(e.detail).toBe("detail");
  });

  it("grpc-message is percent-encoded and decodes back", () => {
    const text = "name must not be empty: 100% — ünï\ncode";
    const wire = encodeGrpcMessage(text);
    expect(wire).toMatch(/^[\x20-\x7e]*$/);
    expect(wire).toContain("%25");
    expect(decodeGrpcMessage(wire)).toBe(text);
    expect(encodeGrpcMessage("plain text")).toBe("plain text");
    expect(decodeGrpcMessage("bad %zz escape")).toBe("bad %zz escape");
  });
});

describe("gRPC paths, content types, timeouts", () => {
  it("maps paths as go-micro's grpc server and client do", () => {
    expect(endpointOfPath("/greeter.Greeter/Hello")).toBe("Greeter.Hello");
    expect(endpointOfPath("/a.b.c.Svc/Do")).toBe("Svc.Do");
    expect(endpointOfPath("/Svc/Do")).toBe("Svc.Do");
    expect(endpointOfPath("/nope")).toBeUndefined();
    expect(endpointOfPath("//Do")).toBeUndefined();
    expect(pathOfEndpoint("greeter", "Greeter.Hello")).toBe("/greeter.Greeter/Hello");
    expect(pathOfEndpoint("greeter", "/pkg.Other/Call")).toBe("/pkg.Other/Call");
    expect(pathOfEndpoint("", "Greeter.Hello")).toBe("/Greeter/Hello");
  });

  it("maps content types to codecs and back", () => {
    expect(codecContentType("application/grpc")).toBe("application/protobuf");
    expect(codecContentType("application/grpc+proto")).toBe("application/protobuf");
    expect(codecContentType("application/grpc+json")).toBe("application/json");
    expect(grpcContentType("application/json")).toBe("application/grpc+json");
    expect(grpcContentType("application/protobuf")).toBe("application/grpc+proto");
  });

  it("parses and formats grpc-timeout", () => {
    expect(parseGrpcTimeout("100m")).toBe(100_000_000);
    expect(parseGrpcTimeout("5S")).toBe(5_000_000_000);
    expect(parseGrpcTimeout("1H")).toBe(3_600_000_000_000);
    expect(parseGrpcTimeout("123456789m")).toBeUndefined();
    expect(parseGrpcTimeout("-1m")).toBeUndefined();
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
    expect(formatGrpcTimeout(5_000_000)).toBe("5000000n");
    expect(formatGrpcTimeout(5_000_000_000)).toBe("5000000u");
    expect(parseGrpcTimeout(formatGrpcTimeout(1e15))).toBeGreaterThanOrEqual(1e15);
  });
});

describe("gRPC message framing", () => {
  it("reassembles messages split anywhere", () => {
    const wire = Buffer.concat([frameMessage(Buffer.from("hello")), frameMessage(Buffer.alloc(0)), frameMessage(Buffer.from("x"))]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const r = new MessageReader(100);
      const a = r.push(wire.subarray(0, cut));
      const b = r.push(wire.subarray(cut));
      expect([...(a as Buffer[]), ...(b as Buffer[])].map(String)).toEqual(["hello", "", "x"]);
      expect(r.partial).toBe(false);
    }
  });

  it("refuses a message over the limit before buffering it, and compressed messages", () => {
    const big = Buffer.from([0, 0, 0, 1, 0]);
    expect(new MessageReader(100).push(big)).toBe("too-large");
    expect(new MessageReader(100).push(Buffer.from([1, 0, 0, 0, 1, 7]))).toBe("compressed");
  });
});
