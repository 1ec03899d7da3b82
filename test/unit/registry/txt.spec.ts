import { execFileSync } from "node:child_process";
import { deflateSync, inflateSync } from "node:zlib";
import { ErrorIds, MicroError } from "../../../src/errors";
import { TXT_CHUNK_LENGTH, decodeTxt, encodeTxt, marshalTxtJson, type MdnsTxt } from "../../../src/registry/mdns";

// The JSON go-micro v4+ `json.Marshal` writes for an mdnsTxt, and Python's `zlib.compress` of it
// as hex, produced with:
//   /usr/bin/python3 -c 'import zlib,sys; print(zlib.compress(sys.argv[1].encode()).hex())' "$JSON"
const GO_JSON =
  '{"Metadata":{"protocol":"mucp","registry":"mdns","transport":"http"},"Service":"go.micro.srv.greeter","Version":"latest",' +
  '"Endpoints":[{"request":{"name":"Request","type":"Request","values":[{"name":"name","type":"string","values":null}]},' +
  '"response":{"name":"Response","type":"Response","values":[{"name":"msg","type":"string","values":null}]},"metadata":{},"name":"Say.Hello"},' +
  '{"request":null,"response":null,"metadata":{"note":"a \\u003cb\\u003e \\u0026 c"},"name":"Say.Ping"}]}';
const PYTHON_HEX =
  "789c8d90316bc4300c85ffcaa1f908470b1db217ba144a0fbaf46e701de11a1cd995954008f9ef95d37075e8d249d6879edf93667846319d1103ed0c89a3441b03b4d00f36c111189dcfc253211d6525c286728a2c8a3e45122c4738238fdea212179bde5b8e4de6b1718c28c82a7a43ce3e920e04239845d12375297a920cedfbac3e5f43e11a824c5f7e7add883a4e690f4613f4b5eab6e1b5dc2635b027570dd210c2725dca3a1a9d32ee7c365419ddc85fa73ebbff18f5bf57d56ed39ecdd43c6108516f56ad5c4475b49fbefa01284ad19bc365389deeedc75a70edee1e0e16f6162f2593a6f8069bb5a0bb";

const GO_TXT: MdnsTxt = {
  service: "go.micro.srv.greeter",
  version: "latest",
  metadata: { transport: "http", registry: "mdns", protocol: "mucp" },
  endpoints: [
    {
      name: "Say.Hello",
      request: { name: "Request", type: "Request", values: [{ name: "name", type: "string" }] },
      response: { name: "Response", type: "Response", values: [{ name: "msg", type: "string" }] },
      metadata: {},
    },
    { name: "Say.Ping", metadata: { note: "a <b> & c" } },
  ],
};

/** Splits a hex string into go-micro's ≤255-char TXT strings. */
function chunk(hex: string): string[] {
  return hex.match(/.{1,255}/g) ?? [];
}

function expectMalformed(chunks: Array<string | Buffer>): void {
  let caught: unknown;
  try {
    decodeTxt(chunks);
  } catch (err) {
    caught = err;
  }
  expect(MicroError.is(caught)).toBe(true);
  expect((caught as MicroError).id).toBe(ErrorIds.malformed);
}

describe("mdns TXT encoding", () => {
  it("round-trips nested values, node metadata and service metadata", () => {
    const txt: MdnsTxt = { ...GO_TXT, serviceMetadata: { owner: "team-a" } };
    expect(decodeTxt(encodeTxt(txt))).toEqual(txt);
  });

  it("splits the hex into strings of at most 255 characters", () => {
    const big: MdnsTxt = {
      ...GO_TXT,
      // Random-ish metadata so zlib cannot shrink it below several chunks.
      metadata: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, (i * 7919).toString(36).repeat(3) + String(Math.sin(i))])),
    };
    const chunks = encodeTxt(big);
    expect(chunks.length).toBeGreaterThan(2);
    for (const c of chunks) expect(c.length).toBeLessThanOrEqual(TXT_CHUNK_LENGTH);
    expect(chunks.slice(0, -1).every((c) => c.length === TXT_CHUNK_LENGTH)).toBe(true);
    expect(chunks.join("")).toMatch(/^[0-9a-f]+$/);
    expect(decodeTxt(chunks)).toEqual(big);
  });

  it("writes the JSON go-micro's json.Marshal writes (field order, sorted keys, null, HTML escapes)", () => {
    expect(marshalTxtJson(GO_TXT)).toBe(GO_JSON);
    const inflated = inflateSync(Buffer.from(encodeTxt(GO_TXT).join(""), "hex")).toString("utf8");
    expect(inflated).toBe(GO_JSON);
  });

  it("decodes a record compressed by Python's zlib byte for byte", () => {
    expect(decodeTxt(chunk(PYTHON_HEX))).toEqual(GO_TXT);
  });

  it("is decodable by Python's zlib (the other direction)", () => {
    // Node's bundled zlib compresses differently from the system's, so the bytes differ; what
    // matters is that a standard inflater reads ours back to the same JSON.
    const script = "import sys,zlib; sys.stdout.write(zlib.decompress(bytes.fromhex(''.join(sys.argv[1:]))).decode())";
    const out = execFileSync("/usr/bin/python3", ["-c", script, ...encodeTxt(GO_TXT)], { encoding: "utf8" });
    expect(out).toBe(GO_JSON);
  });

  it("accepts TXT strings as Buffers, as dns-packet decodes them", () => {
    expect(decodeTxt(chunk(PYTHON_HEX).map((c) => Buffer.from(c)))).toEqual(GO_TXT);
  });

  it("reads keys case-insensitively and go-micro v1's field order, like Go's encoding/json", () => {
    const v1 = '{"service":"s","VERSION":"1","Endpoints":null,"Metadata":null}';
    expect(decodeTxt([deflateSync(Buffer.from(v1)).toString("hex")])).toEqual({ service: "s", version: "1", endpoints: [], metadata: {} });
  });

  it("rejects malformed input with a MicroError instead of crashing", () => {
    const hex = (s: string): string => deflateSync(Buffer.from(s)).toString("hex");
    expectMalformed([]);
    expectMalformed(["zz"]);
    expectMalformed(["abc"]);
    expectMalformed(["deadbeef"]);
    expectMalformed([hex("not json")]);
    expectMalformed([hex("[1,2]")]);
    expectMalformed([hex('{"Service":42}')]);
    expectMalformed([hex('{"Service":"s","Metadata":{"a":1}}')]);
    expectMalformed([hex('{"Service":"s","Endpoints":[{"name":"e","request":"x"}]}')]);
    expectMalformed([hex('{"Service":"s","Endpoints":{}}')]);
    expectMalformed([Buffer.from([0xff, 0x00, 0x01])]);
  });

  it("refuses TXT that inflates beyond 1 MiB", () => {
    const bomb = deflateSync(Buffer.alloc(2 << 20, 0x20)).toString("hex");
    expectMalformed(chunk(bomb));
  });
});
