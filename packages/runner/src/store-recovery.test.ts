import { describe, expect, it, vi } from "vitest";
import type { RunnerContext } from "./runner-state.ts";
import { initialRunnerState } from "./runner-state.ts";
import type { SessionRow } from "./session-row.ts";
import { outageDelayMs, recoverFromOutage } from "./store-recovery.ts";

const away = () =>
  Object.assign(new Error("connect ECONNREFUSED /tmp/.s.PGSQL.5432"), { code: "ECONNREFUSED" });

function fakeRunner(turn: { id: string; commandId: bigint | null } | null) {
  const state = initialRunnerState();
  state.turn = turn;
  const rewind = vi.fn();
  state.connection = { client: { rewind }, sandbox: {}, acpServerId: "srv", agentSessionId: "ses" } as never;
  const writer = { resume: vi.fn() };
  const log = { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() };
  const findFirst = vi.fn(async () => ({ id: 7n }));
  // The turn's text as it was stored: what is read again from the stream comes after it.
  const sessionEvent = {
    findFirst: vi.fn(async () => ({ seq: 3n })),
    findMany: vi.fn(async () => [
      { payload: { type: "agent_message_chunk", messageId: "m1", text: "stored " } },
      { payload: { type: "agent_message_chunk", messageId: "m1", text: "so far" } },
    ]),
  };
  const runner = {
    sessionId: "s1",
    state,
    log,
    writer,
    deps: { db: { sessionCommand: { findFirst }, sessionEvent } },
  } as unknown as RunnerContext;
  return { runner, state, rewind, writer, log };
}

const row = (fields: Partial<SessionRow>) =>
  ({ agentEventCursor: null, currentTurnId: null, ...fields }) as SessionRow;

describe("recoverFromOutage", () => {
  it("waits for the database, then rewinds the stream to the stored cursor and resumes writing", async () => {
    const { runner, state, rewind, writer } = fakeRunner({ id: "t1", commandId: 7n });
    state.streamedText.set("m1", "stored so far, and more that never committed");
    let calls = 0;
    const sleeps: number[] = [];
    const resumed = await recoverFromOutage(
      runner,
      {
        loadRow: async () => {
          calls += 1;
          if (calls < 3) throw away();
          return row({ agentEventCursor: "41", currentTurnId: "t1" });
        },
        reloadInteractions: async () => {},
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
      away(),
    );
    expect(resumed).toBe(true);
    expect(sleeps).toEqual([250, 500]);
    expect(rewind).toHaveBeenCalledWith("41");
    expect(writer.resume).toHaveBeenCalled();
    expect(state.turn).toEqual({ id: "t1", commandId: 7n });
    expect(state.streamedText).toEqual(new Map([["m1", "stored so far"]]));
  });

  it("takes the turn from the database: an end that committed is not ended twice, one that did not is", async () => {
    const committed = fakeRunner(null);
    await recoverFromOutage(
      committed.runner,
      {
        loadRow: async () => row({ agentEventCursor: "9" }),
        reloadInteractions: async () => {},
        sleep: async () => {},
      },
      away(),
    );
    expect(committed.state.turn).toBeNull();

    // endTurn cleared it in memory, but its transaction never committed: the row still has it.
    const lost = fakeRunner(null);
    await recoverFromOutage(
      lost.runner,
      {
        loadRow: async () => row({ agentEventCursor: "9", currentTurnId: "t2" }),
        reloadInteractions: async () => {},
        sleep: async () => {},
      },
      away(),
    );
    expect(lost.state.turn).toEqual({ id: "t2", commandId: 7n });
  });

  it("gives up quietly when the runner is stopped while it waits, and rethrows what is not an outage", async () => {
    const { runner, state, rewind } = fakeRunner(null);
    const resumed = await recoverFromOutage(
      runner,
      {
        loadRow: async () => {
          state.stopped = true;
          throw away();
        },
        reloadInteractions: async () => {},
        sleep: async () => {},
      },
      away(),
    );
    expect(resumed).toBe(false);
    expect(rewind).not.toHaveBeenCalled();

    const other = fakeRunner(null);
    await expect(
      recoverFromOutage(
        other.runner,
        {
          loadRow: async () => Promise.reject(new Error("bug")),
          reloadInteractions: async () => {},
          sleep: async () => {},
        },
        away(),
      ),
    ).rejects.toThrow("bug");
  });

  it("writes nothing more when another replica took the session over during the outage", async () => {
    const { runner, rewind, writer } = fakeRunner({ id: "t1", commandId: 7n });
    const resumed = await recoverFromOutage(
      runner,
      {
        loadRow: async () => row({ agentEventCursor: "41", currentTurnId: "t1" }),
        reloadInteractions: async () => {},
        holdsLease: async () => false,
      },
      away(),
    );
    expect(resumed).toBe(false);
    expect(rewind).not.toHaveBeenCalled();
    expect(writer.resume).not.toHaveBeenCalled();
  });

  it("backs off up to 5 s between attempts", () => {
    expect([0, 1, 2, 3, 4, 5, 9].map(outageDelayMs)).toEqual([250, 500, 1000, 2000, 4000, 5000, 5000]);
  });
});
