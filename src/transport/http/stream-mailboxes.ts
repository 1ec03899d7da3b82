import type { ServerResponse } from "node:http";
import { clampDelay } from "../../internal/timers";
import { Headers } from "../headers";
import { isStreamTerminal, streamControl } from "../stream-flow";
import type { Message } from "../transport";
import { endWith, headerList } from "../../internal/http/wire";

/**
 * The request header of a poll: a `POST /` with `Micro-Stream` and this header, and no body,
 * asks for the stream's next message from the server. See docs/streams.md ("http").
 */
export const POLL_HEADER = "Micro-Stream-Poll";

/** How long a poll is held when the stream has nothing to send, in ms; then it gets a 204. */
export const POLL_HOLD_MS = 15_000;

/** How long a stream waits for a new poll after one closed unanswered (the client went away), in ms. */
export const POLL_GRACE_MS = 2_000;

/** Where a mailbox reports that its client went away. */
export type LostHandler = (message: Message) => void;

interface Mailbox {
  readonly queue: Message[];
  poll?: ServerResponse;
  holdTimer?: NodeJS.Timeout;
  graceTimer?: NodeJS.Timeout;
  /** Tells the stream's server socket the client is gone (a cancel, as for an aborted request). */
  lost: LostHandler;
}

/**
 * The server side of streams over HTTP, shared by every connection of one listener (a client
 * may send a stream's POSTs over any of its pooled connections). Messages the server sends on a
 * stream wait here, at most the stream's flow-control window of them, until the client's poll
 * takes them one at a time. A poll whose connection closes unanswered, and no new poll within
 * {@link POLL_GRACE_MS}, means the client is gone: the stream is cancelled.
 */
export class HttpStreamMailboxes {
  private readonly boxes = new Map<string, Mailbox>();
  private emptied: Array<() => void> = [];

  /** Open streams. */
  get size(): number {
    return this.boxes.size;
  }

  /** Resolves once no stream is open. */
  whenEmpty(): Promise<void> {
    if (this.boxes.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.emptied.push(resolve));
  }

  /** True while stream `id` has a mailbox (it was opened and has not ended). */
  has(id: string): boolean {
    return this.boxes.has(id);
  }

  /** Creates the mailbox of a stream when its first message arrives. */
  open(id: string, lost: LostHandler): void {
    if (!this.boxes.has(id)) this.boxes.set(id, { queue: [], lost });
  }

  /** Queues (or hands to the waiting poll) a message the server sends on its stream; false when no such stream is open. */
  push(message: Message): boolean {
    const id = message.header[Headers.stream]!;
    const box = this.boxes.get(id);
    if (!box) return false;
    box.queue.push(message);
    if (box.poll) this.answer(id, box);
    return true;
  }

  /** A client's poll for stream `id`: answered at once when a message waits, else held. */
  poll(id: string, res: ServerResponse): void {
    const box = this.boxes.get(id);
    if (!box) {
      // Unknown (never opened, or already over): say so with the stream's end.
      writeMessage(res, streamControl(id, Headers.error, "EOS"));
      return;
    }
    clearTimeout(box.graceTimer);
    box.graceTimer = undefined;
    if (box.poll) release(box); // a newer poll replaces an older one
    box.poll = res;
    if (box.queue.length > 0) return this.answer(id, box);
    box.holdTimer = setTimeout(() => {
      if (box.poll !== res) return;
      release(box);
      this.awaitPoll(id, box);
    }, clampDelay(POLL_HOLD_MS));
    res.once("close", () => {
      if (box.poll !== res || res.writableFinished) return;
      // The poll's connection closed unanswered: the client may be gone.
      clearTimeout(box.holdTimer);
      box.poll = undefined;
      this.awaitPoll(id, box);
    });
  }

  /**
   * A client re-polls as soon as a poll was answered: one that has not within
   * {@link POLL_GRACE_MS} is gone, and its stream is cancelled.
   */
  private awaitPoll(id: string, box: Mailbox): void {
    if (this.boxes.get(id) !== box) return;
    clearTimeout(box.graceTimer);
    box.graceTimer = setTimeout(() => {
      if (this.boxes.get(id) !== box || box.poll) return;
      this.remove(id);
      box.lost(streamControl(id, Headers.cancel, "1"));
    }, clampDelay(POLL_GRACE_MS));
  }

  /**
   * Drops the mailbox of a stream the client cancelled (it polls no more): a poll still
   * waiting gets what is queued, else a 204.
   */
  drop(id: string): void {
    const box = this.boxes.get(id);
    if (!box) return;
    clearTimeout(box.graceTimer);
    if (box.poll && box.queue.length > 0) this.answer(id, box);
    else if (box.poll) release(box);
    this.remove(id);
  }

  /** Drops every mailbox (the listener closed). */
  clear(): void {
    for (const box of this.boxes.values()) {
      clearTimeout(box.holdTimer);
      clearTimeout(box.graceTimer);
      if (box.poll) release(box);
    }
    this.boxes.clear();
    this.remove("");
  }

  private answer(id: string, box: Mailbox): void {
    const res = box.poll!;
    box.poll = undefined;
    if (res.destroyed) return; // keep the message for the next poll ('close' starts the grace)
    const message = box.queue.shift()!;
    clearTimeout(box.holdTimer);
    writeMessage(res, message);
    if (isStreamTerminal(message.header)) {
      clearTimeout(box.graceTimer);
      this.remove(id);
    } else {
      this.awaitPoll(id, box);
    }
  }

  private remove(id: string): void {
    this.boxes.delete(id);
    if (this.boxes.size > 0 || this.emptied.length === 0) return;
    const waiters = this.emptied;
    this.emptied = [];
    for (const w of waiters) w();
  }
}

/** Answers a held poll with nothing new: 204. */
function release(box: Mailbox): void {
  const res = box.poll!;
  box.poll = undefined;
  clearTimeout(box.holdTimer);
  if (!res.headersSent && !res.destroyed) res.writeHead(204).end();
}

function writeMessage(res: ServerResponse, message: Message): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, headerList(message.header, message.body.length, false));
  endWith(res, message.body);
}
