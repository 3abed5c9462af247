// The test-side consumer of an AcpClient: one loop that appends every inbound item to a list, as
// the session runner does, and lets a test wait until something specific has arrived.
import type { AcpClient, AcpInbound } from "../src/index.ts";

/** The fields of an ACP session/update the tests look at. */
export interface SessionUpdate {
  sessionUpdate: string;
  toolCallId?: string;
  status?: string;
  content?: { text?: string };
  [key: string]: unknown;
}

export class Inbox {
  readonly items: AcpInbound[] = [];
  #waiters: (() => void)[] = [];
  #ended = false;
  readonly done: Promise<unknown>;

  constructor(client: AcpClient) {
    this.done = (async () => {
      try {
        for await (const item of client.messages()) {
          this.items.push(item);
          for (const waiter of this.#waiters.splice(0)) waiter();
        }
      } catch (error) {
        return error;
      } finally {
        this.#ended = true;
        for (const waiter of this.#waiters.splice(0)) waiter();
      }
    })();
  }

  /** Resolves with the first item (from index `from`) matching the predicate. */
  async waitFor(predicate: (item: AcpInbound) => boolean, from = 0): Promise<AcpInbound> {
    for (;;) {
      const found = this.items.slice(from).find(predicate);
      if (found) return found;
      if (this.#ended) throw new Error("the message stream ended before the awaited item arrived");
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Session updates of one kind, in order. */
  updates(kind: string): SessionUpdate[] {
    return this.items.flatMap((item) => {
      const params = item.type === "notification" ? (item.params as { update?: SessionUpdate }) : undefined;
      return params?.update?.sessionUpdate === kind ? [params.update] : [];
    });
  }
}
