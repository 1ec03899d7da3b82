import { JsonCodec } from "../../../src/codec/json";
import type { HandlerDescriptor } from "../../../src/discovery/descriptors";
import type { Logger } from "../../../src/logger/logger";
import type { DispatchDeps } from "../../../src/server/dispatch";
import { ServerStream } from "../../../src/server/stream";
import { Headers } from "../../../src/transport/headers";
import { STREAM_WINDOW } from "../../../src/transport/stream-flow";
import type { Message, Socket } from "../../../src/transport/transport";

// Drives a ServerStream directly with a fake socket, so a credit leak shows in a few ack rounds
// whatever the window size (over a real transport it needs a window's worth of rounds).

const silent = { trace() {}, debug() {}, info() {}, warn() {}, error() {}, fatal() {}, child: () => silent } as unknown as Logger;

function fakeSocket(onSend: (m: Message) => void): Socket {
  return {
    local: "127.0.0.1:1",
    remote: "127.0.0.1:2",
    send: (m) => {
      onSend(m);
      return Promise.resolve();
    },
    onMessage() {},
    onClose() {},
    close: () => Promise.resolve(),
  };
}

describe("ServerStream flow control", () => {
  it("a producer resumed by an ack spends the waited-for credit once (acks of one message keep it going)", async () => {
    const total = STREAM_WINDOW + 50;
    const id = "stream-credit-test";
    const sent: Message[] = [];
    let wake: (() => void) | undefined;
    const socket = fakeSocket((m) => {
      sent.push(m);
      wake?.();
    });
    async function* count(): AsyncGenerator<{ n: number }> {
      for (let i = 0; i < total; i++) yield { n: i };
    }
    const handler: HandlerDescriptor = { endpoint: "Streamer.Count", invoke: () => Promise.resolve(count()), validate: false, metadata: {}, stream: "server" };
    const deps = { service: "svc", logger: silent, chain: () => Promise.resolve(count()) } as unknown as DispatchDeps;
    const header = { [Headers.id]: id, [Headers.stream]: id, [Headers.contentType]: "application/json" };
    const stream = new ServerStream(deps, socket, handler, new JsonCodec(), header, () => undefined);
    const data = (): number => sent.filter((m) => m.header[Headers.error] === undefined && m.header[Headers.ack] === undefined).length;
    const grow = (n: number): Promise<void> =>
      new Promise((resolve) => {
        wake = () => {
          if (data() >= n) resolve();
        };
        wake();
      });
    const running = stream.run();
    stream.receive({ header, body: Buffer.from("{}") });
    await grow(STREAM_WINDOW);
    // One credit per ack: with the leak, the resumed producer would need a second one and stall.
    for (let n = STREAM_WINDOW + 1; n <= total; n++) {
      stream.receive({ header: { [Headers.id]: id, [Headers.stream]: id, [Headers.ack]: "1" }, body: Buffer.alloc(0) });
      await grow(n);
    }
    await running;
    expect(data()).toBe(total);
    expect(sent[sent.length - 1]!.header[Headers.error]).toBe("EOS");
  });
});
