// Live sessions end to end: a real studio process, real PostgreSQL, the real sandbox-agent and
// OpenCode in a local sandbox, and the scripted model server as the only stand-in (the upstream
// behind the studio's gateway). How sessions stop, resume and recover: sessions-lifecycle.int.test.ts.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { useLiveStudio } from "./testing/live-studio.ts";
import { agentText, collectEvents, lastSeq, sequenceProblems } from "./testing/session-events.ts";

const live = useLiveStudio();

const untilIdle = (sessionId: string) =>
  vi.waitFor(async () => expect((await live.client.sessions.get.query({ sessionId })).status).toBe("idle"), {
    timeout: 30_000,
    interval: 100,
  });

// Each sandbox start (sandbox-agent and OpenCode) costs seconds of CPU: the scenarios that need a
// ready session, not a fresh one, run one after another on the same session, each looking only at
// the events after the previous one's.
describe("a live session", { timeout: 180_000 }, () => {
  it("provisions step by step, streams a text turn, shows thinking before the message, keeps the conversation across turns, and serves subscribers the same log", async () => {
    const { session, events } = await live.startSession();
    const steps = events.events.filter((event) => event.type === "provisioning");
    expect(steps.map((event) => `${event.step}:${event.state}`)).toEqual(
      expect.arrayContaining([
        "sandbox:started",
        "sandbox:completed",
        "agent:completed",
        "session:completed",
      ]),
    );

    // Streams a text turn.
    live.upstream.enqueue([{ text: "Hello! I am the scripted model, streaming in small chunks." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "say hello" });
    const ended = await events.waitFor("turn_ended");
    expect(ended.stopReason).toBe("end_turn");
    expect(agentText(events.events)).toBe("Hello! I am the scripted model, streaming in small chunks.");
    const types = events.events.map((event) => event.type);
    expect(types.indexOf("user_message")).toBeLessThan(types.indexOf("turn_started"));
    expect(types.indexOf("turn_started")).toBeLessThan(types.indexOf("agent_message_chunk"));
    expect(sequenceProblems(events.events)).toBeNull();
    await untilIdle(session.id);
    // The gateway swapped the key: live.upstream saw the platform key, never the session token.
    const main = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(main.headers.authorization).toBe("Bearer sk-platform-test");

    // Shows thinking before the message, each run its own event.
    let mark = lastSeq(events.events);
    live.upstream.enqueue([
      { reasoning: "Let me think about this carefully." },
      { text: "Here is my answer." },
    ]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "think first" });
    await events.waitFor("turn_ended", (event) => event.seq > mark);
    const kinds = events.events.filter(
      (e) => e.seq > mark && (e.type === "thought_chunk" || e.type === "agent_message_chunk"),
    );
    const thought = kinds
      .filter((e) => e.type === "thought_chunk")
      .map((e) => (e as { text: string }).text)
      .join("");
    expect(thought).toBe("Let me think about this carefully.");
    expect(kinds.at(0)?.type).toBe("thought_chunk");
    expect(kinds.at(-1)?.type).toBe("agent_message_chunk");
    await untilIdle(session.id);

    // Keeps the conversation across turns, queueing a message sent during a turn.
    mark = lastSeq(events.events);
    live.upstream.enqueue([{ text: "First answer." }], [{ text: "Second answer." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "first question" });
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "second question" });
    await vi.waitFor(
      () => expect(events.events.filter((e) => e.seq > mark && e.type === "turn_ended")).toHaveLength(2),
      { timeout: 60_000 },
    );
    expect(agentText(events.events, mark)).toBe("First answer.Second answer.");
    const followUp = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(followUp.body)).toContain("first question");
    expect(JSON.stringify(followUp.body)).toContain("First answer.");
    expect(sequenceProblems(events.events)).toBeNull();
    await untilIdle(session.id);

    // Subscribers resume after a drop with lastEventId, and two subscribers see the same log: the
    // first is the one following the session since it was created, the second starts now, from
    // the beginning of the log.
    mark = lastSeq(events.events);
    const first = events;
    const second = collectEvents(live.client, session.id);
    live.upstream.enqueue({ steps: [{ text: "x".repeat(400), chunkSize: 4 }], chunkDelayMs: 2 });
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "stream a lot" });
    await first.waitFor("agent_message_chunk", (event) => event.seq > mark);
    first.stop();
    const lastSeen = first.events.at(-1)!.seq;
    const resumed = collectEvents(live.client, session.id, lastSeen);
    await resumed.waitFor("turn_ended", (event) => event.seq > mark);
    await second.waitFor("turn_ended", (event) => event.seq > mark);
    const joined = [...first.events, ...resumed.events];
    expect(sequenceProblems(joined)).toBeNull();
    expect(sequenceProblems(second.events)).toBeNull();
    expect(second.events.map((e) => e.seq)).toEqual(joined.map((e) => e.seq).slice(0, second.events.length));
    expect(agentText(joined, mark)).toBe("x".repeat(400));
    const stored = await live.database.db.sessionEvent.count({ where: { sessionId: session.id } });
    expect(second.events.length).toBeLessThanOrEqual(stored);
    resumed.stop();
    second.stop();
  });

  it("asks permission and a question, and cancels a running turn", async () => {
    const { session, events } = await live.startSession();
    const workspace = await live.workspaceOf(session.id);

    // Asks permission for a tool call, runs it when allowed and fails it when rejected.
    live.upstream.enqueue(
      [
        {
          toolCall: {
            name: "bash",
            arguments: { command: "echo allowed > allowed.txt", description: "Write a file" },
          },
        },
      ],
      [{ text: "The file is written." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write a file" });
    const asked = await events.waitFor("permission_requested");
    expect(asked.options.map((option) => option.kind)).toEqual(["allow_once", "allow_always", "reject_once"]);
    const pending = await live.client.sessions.pendingInteractions.query({ sessionId: session.id });
    expect(pending.map((interaction) => interaction.id)).toEqual([asked.interactionId]);
    const allow = asked.options.find((option) => option.kind === "allow_once")!;
    await live.client.sessions.respondToPermission.mutate({
      sessionId: session.id,
      interactionId: asked.interactionId,
      optionId: allow.optionId,
    });
    await events.waitFor("turn_ended");
    expect(readFileSync(path.join(workspace, "allowed.txt"), "utf8").trim()).toBe("allowed");
    const resolved = await events.waitFor("permission_resolved");
    expect(resolved).toMatchObject({ interactionId: asked.interactionId, optionKind: "allow_once" });
    const toolId = asked.toolCallId;
    const statuses = events.events
      .filter((e) => "toolCallId" in e && e.toolCallId === toolId && "status" in e)
      .map((e) => (e as { status?: string }).status);
    expect(statuses.at(-1)).toBe("completed");
    await expect(
      live.client.sessions.respondToPermission.mutate({
        sessionId: session.id,
        interactionId: asked.interactionId,
        optionId: allow.optionId,
      }),
    ).rejects.toMatchObject({ data: { code: "CONFLICT" } });

    let mark = lastSeq(events.events);
    // A rejection fails the tool call and ends the turn: OpenCode asks the model nothing more.
    live.upstream.enqueue([
      {
        toolCall: {
          name: "bash",
          arguments: { command: "echo rejected > rejected.txt", description: "Write another" },
        },
      },
    ]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write another file" });
    const second = await events.waitFor(
      "permission_requested",
      (event) => event.interactionId !== asked.interactionId,
    );
    const reject = second.options.find((option) => option.kind === "reject_once")!;
    await live.client.sessions.respondToPermission.mutate({
      sessionId: session.id,
      interactionId: second.interactionId,
      optionId: reject.optionId,
    });
    await events.waitFor("turn_ended", (event) => event.seq > mark);
    expect(existsSync(path.join(workspace, "rejected.txt"))).toBe(false);
    const rejectedStatuses = events.events
      .filter((e) => "toolCallId" in e && e.toolCallId === second.toolCallId && "status" in e)
      .map((e) => (e as { status?: string }).status);
    expect(rejectedStatuses.at(-1)).toBe("failed");
    await untilIdle(session.id);

    // Asks a question the person answers, and the agent goes on with the answer.
    mark = lastSeq(events.events);
    live.upstream.enqueue(
      [
        {
          toolCall: {
            name: "question",
            arguments: {
              questions: [
                {
                  question: "Which colour should the button be?",
                  header: "Colour",
                  options: [
                    { label: "Red", description: "Warm" },
                    { label: "Blue", description: "Calm" },
                  ],
                },
              ],
            },
          },
        },
      ],
      [{ text: "Blue it is." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "style the button" });
    const question = await events.waitFor("question_asked", (event) => event.seq > mark);
    expect(question.questions[0]).toMatchObject({ question: "Which colour should the button be?" });
    const pendingQuestion = await live.client.sessions.pendingInteractions.query({ sessionId: session.id });
    expect(pendingQuestion.map((interaction) => interaction.kind)).toEqual(["question"]);
    await live.client.sessions.answerQuestion.mutate({
      sessionId: session.id,
      interactionId: question.interactionId,
      answers: [["Blue"]],
    });
    await events.waitFor("turn_ended", (event) => event.seq > mark);
    expect(agentText(events.events, mark)).toBe("Blue it is.");
    const followUp = live.upstream.requests.filter((request) => !request.isTitle).at(-1)!;
    expect(JSON.stringify(followUp.body)).toContain("Blue");
    expect(await live.client.sessions.pendingInteractions.query({ sessionId: session.id })).toEqual([]);
    await untilIdle(session.id);

    // Cancels a running turn.
    mark = lastSeq(events.events);
    live.upstream.enqueue([{ text: "I will talk for a long time" }, { hang: true }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "talk forever" });
    await events.waitFor("agent_message_chunk", (event) => event.seq > mark);
    await live.client.sessions.cancel.mutate({ sessionId: session.id });
    const cancelled = await events.waitFor("turn_ended", (event) => event.seq > mark);
    expect(cancelled.stopReason).toBe("cancelled");
    await untilIdle(session.id);
    await expect(live.client.sessions.cancel.mutate({ sessionId: session.id })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
    });
    expect(sequenceProblems(events.events)).toBeNull();
    events.stop();
  });
});
