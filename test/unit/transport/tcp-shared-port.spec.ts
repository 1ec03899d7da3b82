import { HttpTransport, TcpTransport, type Listener, type Message, type Socket } from "../../../src";

/** Echoes every message back with its Micro-Id and a marker of the transport that served it. */
function echo(socket: Socket): void {
  socket.onMessage((m: Message) => void socket.send({ header: { "Micro-Id": m.header["Micro-Id"]!, "X-Echo": "yes" }, body: m.body }));
}

async function roundTrip(sock: Socket, id: string, body: string): Promise<Message> {
  const reply = new Promise<Message>((resolve) => sock.onMessage(resolve));
  await sock.send({ header: { "Micro-Id": id }, body: Buffer.from(body) });
  return reply;
}

describe("tcp transport serving HTTP on the same port", () => {
  let listener: Listener;
  const tcp = new TcpTransport();
  const http = new HttpTransport();

  beforeAll(async () => {
    listener = await tcp.listen("127.0.0.1:0", echo);
  });
  afterAll(async () => {
    await tcp.close();
    await http.close();
    await listener.close();
  });

  it("answers the fast protocol and go-micro style HTTP on one address", async () => {
    const a = await tcp.dial(listener.address);
    const b = await http.dial(listener.address);
    const [ra, rb] = await Promise.all([roundTrip(a, "1", "over tcp"), roundTrip(b, "2", "over http")]);
    expect(ra.body.toString()).toBe("over tcp");
    expect(rb.body.toString()).toBe("over http");
    expect(rb.header["X-Echo"]).toBe("yes");
  });

  it("answers a plain HTTP client (curl-like) without Micro-Id", async () => {
    const res = await fetch(`http://${listener.address}/`, { method: "POST", body: "hi" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("hi");
  });

  it("closes with idle HTTP connections open, without waiting for them to time out", async () => {
    const own = await tcp.listen("127.0.0.1:0", echo);
    const client = new HttpTransport();
    const sock = await client.dial(own.address);
    await roundTrip(sock, "3", "keep-alive"); // leaves an idle keep-alive connection
    const started = Date.now();
    await own.close();
    expect(Date.now() - started).toBeLessThan(2000);
    await client.close();
  });
});
