// Codex through the whole studio: a real studio process, the real codex-acp (which embeds Codex's
// core) in a local sandbox, the scripted model server speaking the OpenAI Responses API behind the
// gateway. The scripted model calls Codex's own tools as Codex lists them in its requests:
// `exec_command` ({ cmd, … }) and `update_plan` ({ plan: [{ step, status }] }). For a model missing
// from its catalogue (scripted-1) Codex offers no `apply_patch` tool, but applies an `apply_patch`
// heredoc run through `exec_command` as a patch. Under the tool policy "ask" (Codex's `untrusted`,
// codex-config.ts) every command and patch but known-safe reads waits for the person.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { answerPermission, toolStatuses } from "./testing/agent-turns.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { filesUnder } from "./testing/sandbox-files.ts";
import { agentText, type ReceivedEvent, sequenceProblems } from "./testing/session-events.ts";

const live = useLiveStudio();
const CODEX = { agent: "codex", provider: "custom", model: "scripted-1" } as const;
const PLATFORM_KEYS = ["sk-platform-test", "sk-openai-platform-test", "sk-ant-platform-test"];

const mainRequests = () => live.upstream.requests.filter((request) => !request.isTitle);

describe("Codex in a live session", { timeout: 180_000 }, () => {
  it("streams a text turn through the gateway, offering Codex's own tools", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const before = mainRequests().length;
    live.upstream.enqueue([{ text: "Hello from Codex's scripted model." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "say hello" });
    const ended = await events.waitFor("turn_ended", undefined, 90_000);
    expect(ended.stopReason).toBe("end_turn");
    // Codex's warning about a model missing from its catalogue is a notice, not the agent's words.
    expect(agentText(events.events)).toBe("Hello from Codex's scripted model.");
    expect(events.events).toContainEqual(
      expect.objectContaining({ type: "notice", message: expect.stringContaining("scripted-1") }),
    );
    expect(sequenceProblems(events.events)).toBeNull();
    const request = mainRequests()[before]!;
    expect(request.format).toBe("responses");
    expect(request.path).toBe("/v1/responses");
    expect(request.headers.authorization).toBe("Bearer sk-platform-test");
    const body = request.body as { tools: { name: string }[] };
    expect(body.tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(["exec_command", "update_plan"]),
    );
    expect(JSON.stringify(body)).toContain("say hello");
    await vi.waitFor(async () =>
      expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    events.stop();
  });

  it("shows reasoning as thinking, before the answer", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    live.upstream.enqueue([
      { reasoning: "Let me think about this carefully." },
      { text: "Here is my answer." },
    ]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "think first" });
    await events.waitFor("turn_ended", undefined, 90_000);
    const thought = events.events
      .filter((e) => e.type === "thought_chunk")
      .map((e) => e.text)
      .join("");
    // codex-acp opens each reasoning section with a blank line.
    expect(thought.trim()).toBe("Let me think about this carefully.");
    const firstThought = events.events.findIndex((e) => e.type === "thought_chunk");
    const answer = events.events.findIndex(
      (e) => e.type === "agent_message_chunk" && e.text.includes("Here is"),
    );
    expect(firstThought).toBeGreaterThan(-1);
    expect(firstThought).toBeLessThan(answer);
    expect(agentText(events.events)).toBe("Here is my answer.");
    events.stop();
  });

  it("runs a known-safe command without asking", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    live.upstream.enqueue(
      [{ toolCall: { name: "exec_command", arguments: { cmd: "echo safe-output" } } }],
      [{ text: "Echoed." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "echo something" });
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(events.events.filter((e) => e.type === "permission_requested")).toEqual([]);
    const output = (mainRequests().at(-1)!.body as { input: { type: string; output?: string }[] }).input.find(
      (item) => item.type === "function_call_output",
    );
    expect(output?.output).toMatch(/exited with code 0[\s\S]*safe-output/);
    const call = events.events.find((e) => e.type === "tool_call");
    expect(call, "the command is shown as a tool call").toBeDefined();
    expect(toolStatuses(events.events, call!.toolCallId).at(-1)).toBe("completed");
    events.stop();
  });

  it("asks before a command and runs it when approved", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const workspace = await live.workspaceOf(session.id);
    const exec = (cmd: string) => ({ toolCall: { name: "exec_command", arguments: { cmd } } });
    live.upstream.enqueue([exec("echo allowed > allowed.txt")], [{ text: "The file is written." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write a file" });
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    const kinds = asked.options.map((option) => option.kind);
    expect(kinds).toContain("allow_once");
    expect(kinds).toContain("reject_once");
    expect(existsSync(path.join(workspace, "allowed.txt"))).toBe(false);
    const pending = await live.client.sessions.pendingInteractions.query({ sessionId: session.id });
    expect(pending.map((interaction) => interaction.id)).toEqual([asked.interactionId]);
    await answerPermission(live.client, session.id, asked, "allow_once");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(readFileSync(path.join(workspace, "allowed.txt"), "utf8").trim()).toBe("allowed");
    expect(await events.waitFor("permission_resolved")).toMatchObject({
      interactionId: asked.interactionId,
      optionKind: "allow_once",
    });
    expect(toolStatuses(events.events, asked.toolCallId).at(-1)).toBe("completed");

    events.stop();
  });

  it("a rejected command does not run, its tool call failed", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const workspace = await live.workspaceOf(session.id);
    // codex-acp's only refusal is "abort" (Codex's "No, and tell Codex what to do differently"):
    // it ends the turn, so the model is not asked again.
    live.upstream.enqueue([
      { toolCall: { name: "exec_command", arguments: { cmd: "echo rejected > rejected.txt" } } },
    ]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write a file" });
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    await answerPermission(live.client, session.id, asked, "reject_once");
    const ended = await events.waitFor("turn_ended", undefined, 90_000);
    expect(ended.stopReason).toBe("cancelled");
    expect(existsSync(path.join(workspace, "rejected.txt"))).toBe(false);
    expect(await events.waitFor("permission_resolved")).toMatchObject({ optionKind: "reject_once" });
    await vi.waitFor(async () =>
      expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    // codex-acp announces the call only in its permission request (no tool_call before it, none
    // after an abort): the studio has to show it, and show it failed.
    expect(events.events.some((e) => e.type === "tool_call" && e.toolCallId === asked.toolCallId)).toBe(true);
    expect(toolStatuses(events.events, asked.toolCallId).at(-1)).toBe("failed");
    events.stop();
  });

  it("always allowing a command runs it again without asking", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const workspace = await live.workspaceOf(session.id);
    const append = { toolCall: { name: "exec_command", arguments: { cmd: "echo again >> again.txt" } } };
    live.upstream.enqueue([append], [append], [{ text: "Appended twice." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "append twice" });
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    await answerPermission(live.client, session.id, asked, "allow_always");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(events.events.filter((e) => e.type === "permission_requested")).toHaveLength(1);
    expect(readFileSync(path.join(workspace, "again.txt"), "utf8")).toBe("again\nagain\n");
    expect(agentText(events.events)).toBe("Appended twice.");
    events.stop();
  });

  it("shows Codex's plan as a plan event", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const plan = [
      { step: "Read the code", status: "completed" },
      { step: "Write the fix", status: "in_progress" },
      { step: "Run the tests", status: "pending" },
    ];
    live.upstream.enqueue(
      [{ toolCall: { name: "update_plan", arguments: { plan } } }],
      [{ text: "Planned." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "make a plan" });
    await events.waitFor("turn_ended", undefined, 90_000);
    const shown = await events.waitFor("plan");
    expect(shown.entries.map((entry) => [entry.content, entry.status])).toEqual(
      plan.map((item) => [item.step, item.status]),
    );
    expect(agentText(events.events)).toBe("Planned.");
    events.stop();
  });

  it("asks nothing under the tool policy allow", async () => {
    await live.client.organizations.update.mutate({ toolPermissions: "allow" });
    try {
      const { session, events } = await live.startSession(undefined, CODEX);
      const workspace = await live.workspaceOf(session.id);
      live.upstream.enqueue(
        [{ toolCall: { name: "exec_command", arguments: { cmd: "echo free > free.txt" } } }],
        [{ text: "Done freely." }],
      );
      await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "write freely" });
      await events.waitFor("turn_ended", undefined, 90_000);
      expect(events.events.filter((e) => e.type === "permission_requested")).toEqual([]);
      expect(readFileSync(path.join(workspace, "free.txt"), "utf8").trim()).toBe("free");
      expect(agentText(events.events)).toBe("Done freely.");
      events.stop();
    } finally {
      await live.client.organizations.update.mutate({ toolPermissions: "ask" });
    }
  });

  it("edits a file with apply_patch, the tool call carrying the diff", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const workspace = await live.workspaceOf(session.id);
    const patch = [
      "*** Begin Patch",
      "*** Add File: notes.txt",
      "+first line",
      "+second line",
      "*** End Patch",
    ].join("\n");
    live.upstream.enqueue(
      [{ toolCall: { name: "exec_command", arguments: { cmd: `apply_patch <<'EOF'\n${patch}\nEOF\n` } } }],
      [{ text: "Added notes.txt." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "add notes" });
    // Under "ask" (Codex's `untrusted`) a patch is approved like a command, shown with its diff.
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    expect(asked.kind).toBe("edit");
    expect(asked.content).toEqual([
      { type: "diff", path: "notes.txt", oldText: null, newText: "first line\nsecond line\n" },
    ]);
    expect(existsSync(path.join(workspace, "notes.txt"))).toBe(false);
    await answerPermission(live.client, session.id, asked, "allow_once");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(readFileSync(path.join(workspace, "notes.txt"), "utf8")).toBe("first line\nsecond line\n");
    const withDiff = events.events.find(
      (e) =>
        (e.type === "tool_call" || e.type === "tool_call_update") &&
        (e.content ?? []).some((content) => content.type === "diff"),
    ) as Extract<ReceivedEvent, { type: "tool_call" }> | undefined;
    expect(
      withDiff,
      JSON.stringify(events.events.filter((e) => e.type.startsWith("tool_call"))),
    ).toBeDefined();
    const diff = withDiff!.content.find((content) => content.type === "diff")!;
    expect(diff).toMatchObject({ newText: "first line\nsecond line\n" });
    expect(diff.type === "diff" && diff.path.endsWith("notes.txt")).toBe(true);
    expect(toolStatuses(events.events, withDiff!.toolCallId).at(-1)).toBe("completed");
    events.stop();
  });

  it("cancels a hanging turn", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    live.upstream.enqueue([{ text: "I will talk for a long time" }, { hang: true }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "talk forever" });
    await events.waitFor("agent_message_chunk", (event) => event.text.includes("talk"), 90_000);
    await live.client.sessions.cancel.mutate({ sessionId: session.id });
    const ended = await events.waitFor("turn_ended", undefined, 30_000);
    expect(ended.stopReason).toBe("cancelled");
    await vi.waitFor(async () =>
      expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    const seenBefore = events.events.at(-1)!.seq;
    live.upstream.enqueue([{ text: "Back again." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "are you there?" });
    const next = await events.waitFor("turn_ended", (event) => event.seq > seenBefore, 90_000);
    expect(next.stopReason).toBe("end_turn");
    expect(agentText(events.events, seenBefore)).toBe("Back again.");
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    events.stop();
  });

  // Found: after session/cancel codex-acp 0.16.0 ends the turn at once but keeps the cancelled
  // model call's stream open (OpenCode lets it go); it closes only when the sandbox stops.
  it.todo("lets a cancelled turn's model call go (codex-acp keeps reading it until the sandbox stops)");

  it("meters each model call as the upstream reported it", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    const usage = { inputTokens: 1234, outputTokens: 56, cachedTokens: 200, reasoningTokens: 7 };
    const before = mainRequests().length;
    live.upstream.enqueue(
      { steps: [{ toolCall: { name: "exec_command", arguments: { cmd: "echo metered" } } }], usage },
      { steps: [{ text: "Metered." }], usage: { ...usage, inputTokens: 1500 } },
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "do a little" });
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(mainRequests().length - before).toBe(2);
    const entries = await vi.waitFor(
      async () => {
        const rows = await live.database.db.ledgerEntry.findMany({
          where: { sessionId: session.id, kind: "usage" },
          orderBy: { id: "asc" },
        });
        expect(rows).toHaveLength(2);
        return rows;
      },
      { timeout: 15_000 },
    );
    expect(entries.map((e) => [e.inputTokens, e.outputTokens, e.cachedTokens, e.reasoningTokens])).toEqual([
      [1234, 56, 200, 7],
      [1500, 56, 200, 7],
    ]);
    const metered = events.events.filter((e) => e.type === "metered");
    expect(metered.map((e) => [e.inputTokens, e.outputTokens, e.cachedTokens, e.reasoningTokens])).toEqual([
      [1234, 56, 200, 7],
      [1500, 56, 200, 7],
    ]);
    expect(metered.at(-1)!.totals).toMatchObject({ inputTokens: 2734, outputTokens: 112 });
    events.stop();
  });

  it("keeps the platform key out of the sandbox; stop leaves no process behind", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    live.upstream.enqueue(
      [{ toolCall: { name: "exec_command", arguments: { cmd: "env > env.txt" } } }],
      [{ text: "Listed." }],
    );
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "list the environment" });
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    await answerPermission(live.client, session.id, asked, "allow_once");
    await events.waitFor("turn_ended", undefined, 90_000);
    const [sandboxDir, ...others] = live.sandboxDirsOf(session.id);
    expect(others).toEqual([]);
    // What Codex's own commands see, written by one of them.
    expect(readFileSync(path.join(sandboxDir!, "workspace", "env.txt"), "utf8")).toMatch(/^PATH=/m);
    const holding = filesUnder(sandboxDir!).filter(({ text }) =>
      PLATFORM_KEYS.some((key) => text.includes(key)),
    );
    expect(holding.map(({ file }) => file)).toEqual([]);
    const processes = processesUnder(sandboxDir!);
    expect(processes.some((p) => p.cmdline.includes("codex-acp"))).toBe(true);
    for (const proc of processes) {
      for (const key of PLATFORM_KEYS) expect(proc.environ + proc.cmdline).not.toContain(key);
    }

    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended", undefined, 30_000);
    await vi.waitFor(() => expect(processesUnder(sandboxDir!)).toEqual([]), { timeout: 20_000 });
    events.stop();
  });

  it("resumes a stopped session, the conversation going on", async () => {
    const { session, events } = await live.startSession(undefined, CODEX);
    live.upstream.enqueue([{ text: "Remember the word PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "remember a word" });
    await events.waitFor("turn_ended", undefined, 90_000);
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended", undefined, 30_000);

    const before = events.events.at(-1)!.seq;
    await live.client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor("status_changed", (event) => event.to === "ready" && event.seq > before, 90_000);
    // codex-acp 0.16.0 says loadSession: true, and its thread (in CODEX_HOME) outlived the stop.
    expect(
      events.events.filter((e) => e.type === "provisioning" && e.seq > before && e.step === "session"),
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ label: "Restoring the conversation", state: "completed" }),
      ]),
    );
    live.upstream.enqueue([{ text: "The word was PINEAPPLE." }]);
    await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "what was the word?" });
    await events.waitFor("turn_ended", (event) => event.seq > before, 90_000);
    const last = JSON.stringify(mainRequests().at(-1)!.body);
    expect(last).toContain("remember a word");
    expect(last).toContain("Remember the word PINEAPPLE.");
    expect(last).toContain("what was the word?");
    expect(
      events.events.filter((e) => e.type === "user_message").map((e) => (e as { text: string }).text),
    ).toEqual(["remember a word", "what was the word?"]);
    expect(sequenceProblems(events.events)).toBeNull();
    events.stop();
  });
});
