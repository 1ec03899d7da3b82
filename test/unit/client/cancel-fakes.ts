import type { Message, Socket, Transport } from "../../../src";

/** What a fake node does with a request: answer it, or never answer. */
export type Answer = (msg: Message) => Message | "silence";

/**
 * A transport whose dials wait for `releaseDials()` when `holdDials` is set and whose sockets
 * record every message sent (requests and cancels) and answer through `answer`.
 */
export class FakeTransport implements Transport {
  readonly sent: Message[] = [];
  dials = 0;
  holdDials = false;
  private held: Array<() => void> = [];

  constructor(
    readonly name: string,
    private readonly answer: Answer = () => "silence",
  ) {}

  async listen(): Promise<never> {
    throw new Error("not a server");
  }

  async dial(address: string): Promise<Socket> {
    this.dials++;
    if (this.holdDials) await new Promise<void>((resolve) => this.held.push(resolve));
    let deliver: (m: Message) => void = () => undefined;
    return {
      local: "fake",
      remote: address,
      send: async (msg) => {
        this.sent.push(msg);
        if (msg.header["Micro-Cancel"] !== undefined) return;
        const reply = this.answer(msg);
        if (reply === "silence") return;
        queueMicrotask(() => deliver({ header: { "Micro-Id": msg.header["Micro-Id"]!, ...reply.header }, body: reply.body }));
      },
      onMessage: (h) => (deliver = h),
      onClose: () => undefined,
      close: async () => undefined,
    };
  }

  /** Lets every held dial complete. */
  releaseDials(): void {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
  }

  /** Resolves once `n` dials have started. */
  async dialsStarted(n: number): Promise<void> {
    while (this.dials < n) await new Promise((r) => setImmediate(r));
  }

  async close(): Promise<void> {}
}

/** A JSON reply carrying `body`. */
export const json = (body: unknown): Message => ({ header: { "Content-Type": "application/json" }, body: Buffer.from(JSON.stringify(body)) });
