import { ErrorIds } from "../../../src/errors";
import { Headers } from "../../../src/transport/headers";
import { NatsTransport } from "../../../src/transport/nats";
import { describeTransportContract, within } from "../../contract/transport.contract";
import { startNatsServer, type NatsServer } from "../../helpers/servers/nats";

describe("NATS transport", () => {
  let server: NatsServer;
  beforeAll(async () => (server = await startNatsServer()));
  afterAll(() => server.stop());

  describeTransportContract("nats", () => new NatsTransport({ servers: [server.url] }));

  describe("specifics", () => {
    let transport: NatsTransport;
    beforeEach(() => (transport = new NatsTransport({ servers: [server.url] })));
    afterEach(() => transport.close());

    it("refuses to listen on an address another listener answers, with a 409", async () => {
      const first = await transport.listen("127.0.0.1:0", () => undefined);
      await expect(transport.listen(first.address, () => undefined)).rejects.toMatchObject({ code: 409, detail: expect.stringContaining(first.address) });
      await first.close();
    });

    it("closes a dialed socket with a 503 connection error once its listener is gone", async () => {
      const listener = await transport.listen("127.0.0.1:0", (s) => s.onMessage((m) => void s.send(m)));
      const socket = await transport.dial(listener.address);
      const closed = new Promise<Error | undefined>((resolve) => socket.onClose(resolve));
      await listener.close();
      await socket.send({ header: { [Headers.id]: "1" }, body: Buffer.from("anyone?") });
      await expect(within(closed, 3000, "socket close")).resolves.toMatchObject({ code: 503, id: ErrorIds.connection });
    });

    it("fails to connect with a 503 naming the servers", async () => {
      const t = new NatsTransport({ servers: ["nats://127.0.0.1:1"], dialTimeoutMs: 1000 });
      await expect(t.dial("127.0.0.1:5000")).rejects.toMatchObject({ code: 503, id: ErrorIds.connection, detail: expect.stringContaining("127.0.0.1:1") });
      await t.close();
    });
  });
});
