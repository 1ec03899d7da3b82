import { encodeMessage } from "../../../src/transport/tcp/frame";
import { Headers } from "../../../src/transport/headers";
import { streamControl } from "../../../src/transport/stream-flow";

// The byte-by-byte examples of stream frames in docs/protocol.md ("Streams on tcp").
const hex = (b: Buffer): string => b.toString("hex").replace(/(..)/g, "$1 ").trim().toUpperCase();

describe("tcp stream frames (docs/protocol.md)", () => {
  it("a stream's opening message", () => {
    const frame = encodeMessage({ header: { [Headers.id]: "s1", [Headers.stream]: "s1", [Headers.endpoint]: "S.E" }, body: Buffer.from("{}") });
    expect(hex(frame)).toBe("00 00 00 15 00 00 10 01 00 02 73 31 07 00 02 73 31 03 00 03 53 2E 45 7B 7D");
  });

  it("an acknowledgement of 64 messages", () => {
    const frame = encodeMessage(streamControl("s1", Headers.ack, "64"));
    expect(hex(frame)).toBe("00 00 00 1C 00 00 19 01 00 02 73 31 07 00 02 73 31 00 09 4D 69 63 72 6F 2D 41 63 6B 00 02 36 34");
  });
});
