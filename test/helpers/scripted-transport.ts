import type { Message, Socket, Transport } from "../../src";

/** How a {@link ScriptedTransport} answers one request: a reply, an error to throw from `send`, or no answer. */
export type Reply = (msg: Message, address: string) => Message | Error | "hang";

/**
 * A client-side transport whose every send is answered by `reply` (after `delayMs` when given, so
 * a timer of the caller's can race it); every request is recorded.
 */
export class ScriptedTransport implements Transport {
  readonly name = "scripted";
  readonly sent: Array<{ address: string; msg: Message }> = [];
  constructor(
    private readonly reply: Reply,
    private readonly delayMs?: number,
  ) {}
  async listen(): Promise<never> {
    throw new Error("not a server");
  }
  async dial(address: string): Promise<Socket> {
    let deliver: (m: Message) => void = () => undefined;
    return {
      local: "test",
      remote: address,
      send: async (msg) => {
        this.sent.push({ address, msg });
        const r = this.reply(msg, address);
        if (r === "hang") return;
        if (r instanceof Error) throw r;
        const answer = (): void => deliver({ header: { "Micro-Id": msg.header["Micro-Id"]!, ...r.header }, body: r.body });
        if (this.delayMs === undefined) answer();
        else setTimeout(answer, this.delayMs);
      },
      onMessage: (h) => (deliver = h),
      onClose: () => undefined,
      close: async () => undefined,
    };
  }
  async close(): Promise<void> {}
}
