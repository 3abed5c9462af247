// Claude Code through the whole studio: a real studio process, the real claude-agent-acp and Claude
// Code in a local sandbox, and the scripted model server speaking Anthropic Messages behind the
// gateway (the only stand-in). What holds for OpenCode in sessions.int.test.ts holds here: thinking,
// permission prompts allowed and rejected, a file edit with its diff, cancel, metering, no key in
// the sandbox, nothing left after stop, and a resume that continues the conversation.
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { RecordedRequest } from "@studio/testkit";
import { describe, expect, it, vi } from "vitest";
import { answerPermission, toolEvents, toolStatuses } from "./testing/agent-turns.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { processesUnder } from "./testing/processes.ts";
import { filesUnder } from "./testing/sandbox-files.ts";
import { agentText, sequenceProblems } from "./testing/session-events.ts";

const live = useLiveStudio();
const CLAUDE = { agent: "claude", provider: "anthropic", model: "claude-sonnet-4-6" } as const;
const PLATFORM_KEY = "sk-ant-platform-test";

async function startClaude() {
  await live.grantCredits();
  const started = await live.startSession(undefined, CLAUDE);
  const row = await live.database.db.studioSession.findUniqueOrThrow({ where: { id: started.session.id } });
  return { ...started, sandboxDir: path.join(live.dataDir, "sandboxes", row.sandboxId!) };
}

async function send(sessionId: string, text: string) {
  await live.client.sessions.sendMessage.mutate({ sessionId, text });
}

const anthropicCalls = (since: number): RecordedRequest[] =>
  live.upstream.requests.slice(since).filter((request) => request.format === "anthropic");

describe("Claude Code in a live session", { timeout: 180_000 }, () => {
  it("streams thinking and text, metered as reported; the key is nowhere in the sandbox", async () => {
    const { session, events, sandboxDir } = await startClaude();
    const before = live.upstream.requests.length;
    live.upstream.enqueue({
      steps: [{ reasoning: "The person wants a greeting." }, { text: "Hello from Claude's scripted model." }],
      usage: { inputTokens: 1500, outputTokens: 40, cachedTokens: 300 },
    });
    await send(session.id, "say hello");
    const ended = await events.waitFor("turn_ended", undefined, 90_000);
    expect(ended.stopReason).toBe("end_turn");
    expect(agentText(events.events)).toBe("Hello from Claude's scripted model.");
    const thought = events.events
      .filter((e) => e.type === "thought_chunk")
      .map((e) => (e as { text: string }).text)
      .join("");
    expect(thought).toBe("The person wants a greeting.");
    expect(sequenceProblems(events.events)).toBeNull();

    // Every call went through the gateway with the platform key in place of the session token, and
    // each is one ledger entry with exactly the tokens the model reported.
    const calls = anthropicCalls(before);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.headers["x-api-key"]).toBe(PLATFORM_KEY);
    const entries = await vi.waitFor(async () => {
      const found = await live.database.db.ledgerEntry.findMany({ where: { sessionId: session.id } });
      expect(found).toHaveLength(1);
      return found;
    });
    expect(entries[0]).toMatchObject({ inputTokens: 1500, outputTokens: 40, cachedTokens: 300 });
    const metered = events.events.filter((e) => e.type === "metered");
    expect(metered).toHaveLength(1);

    for (const { file, text } of filesUnder(sandboxDir)) expect(text, file).not.toContain(PLATFORM_KEY);
    const processes = processesUnder(sandboxDir);
    expect(processes.some((p) => p.cmdline.includes("claude-agent-acp"))).toBe(true);
    for (const proc of processes) expect(proc.environ + proc.cmdline).not.toContain(PLATFORM_KEY);
    events.stop();
  });

  it("asks before a shell command: allowed it runs, rejected it does not", async () => {
    const { session, events } = await startClaude();
    const workspace = await live.workspaceOf(session.id);
    live.upstream.enqueue(
      [
        {
          toolCall: {
            name: "Bash",
            arguments: { command: "echo allowed > allowed.txt", description: "Write" },
          },
        },
      ],
      [{ text: "The file is written." }],
    );
    await send(session.id, "write a file");
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    expect(asked.options.map((option) => option.kind)).toEqual(
      expect.arrayContaining(["allow_once", "allow_always", "reject_once"]),
    );
    await answerPermission(live.client, session.id, asked, "allow_once");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(readFileSync(path.join(workspace, "allowed.txt"), "utf8").trim()).toBe("allowed");
    expect(agentText(events.events)).toContain("The file is written.");
    const allowed = toolEvents(events.events, asked.toolCallId);
    expect(allowed[0]).toMatchObject({ type: "tool_call", kind: "execute" });
    expect(toolStatuses(events.events, asked.toolCallId).at(-1)).toBe("completed");

    const seen = events.events.at(-1)!.seq;
    live.upstream.enqueue(
      [
        {
          toolCall: { name: "Bash", arguments: { command: "echo no > rejected.txt", description: "Write" } },
        },
      ],
      [{ text: "Understood, I will not." }],
    );
    await send(session.id, "write another file");
    const second = await events.waitFor("permission_requested", (e) => e.seq > seen, 90_000);
    await answerPermission(live.client, session.id, second, "reject_once");
    await events.waitFor("turn_ended", (e) => e.seq > seen, 90_000);
    expect(existsSync(path.join(workspace, "rejected.txt"))).toBe(false);
    expect(toolStatuses(events.events, second.toolCallId).at(-1)).toBe("failed");
    events.stop();
  });

  it('remembers "always allow" for the session: the same command runs again without asking', async () => {
    const { session, events } = await startClaude();
    const workspace = await live.workspaceOf(session.id);
    // Read-only commands (ls, cat) never ask: this one writes.
    const listing = {
      name: "Bash",
      arguments: { command: "touch always.txt", description: "Touch a file" },
    };
    live.upstream.enqueue([{ toolCall: listing }], [{ text: "Appended once." }]);
    await send(session.id, "append a line");
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    await answerPermission(live.client, session.id, asked, "allow_always");
    const first = await events.waitFor("turn_ended", undefined, 90_000);

    live.upstream.enqueue([{ toolCall: listing }], [{ text: "Appended twice." }]);
    await send(session.id, "append another");
    await events.waitFor("turn_ended", (e) => e.seq > first.seq, 90_000);
    expect(agentText(events.events, first.seq)).toContain("Appended twice.");
    expect(events.events.filter((e) => e.type === "permission_requested")).toHaveLength(1);
    expect(existsSync(path.join(workspace, "always.txt"))).toBe(true);
    const calls = events.events.filter((e) => e.type === "tool_call" && e.seq > first.seq);
    expect(calls).toHaveLength(1);
    const { toolCallId } = calls[0] as { toolCallId: string };
    expect(toolStatuses(events.events, toolCallId).at(-1)).toBe("completed");
    events.stop();
  });

  it("writes a file with its diff in the tool call, and cancels a running turn", async () => {
    const { session, events } = await startClaude();
    const workspace = await live.workspaceOf(session.id);
    live.upstream.enqueue(
      [
        {
          toolCall: {
            name: "Write",
            arguments: {
              file_path: path.join(await live.agentWorkspaceOf(session.id), "notes.md"),
              content: "# Notes\nfirst line\n",
            },
          },
        },
      ],
      [{ text: "Written." }],
    );
    await send(session.id, "write notes");
    const asked = await events.waitFor("permission_requested", undefined, 90_000);
    await answerPermission(live.client, session.id, asked, "allow_once");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(readFileSync(path.join(workspace, "notes.md"), "utf8")).toBe("# Notes\nfirst line\n");
    const diffs = toolEvents(events.events, asked.toolCallId).flatMap((e) =>
      ((e as { content?: Array<{ type: string; path?: string }> }).content ?? []).filter(
        (c) => c.type === "diff",
      ),
    );
    expect(diffs.at(-1)).toMatchObject({ type: "diff", newText: "# Notes\nfirst line\n" });
    expect(diffs.at(-1)?.path).toMatch(/notes\.md$/);

    const seen = events.events.at(-1)!.seq;
    live.upstream.enqueue([{ text: "I will talk for a long time" }, { hang: true }]);
    await send(session.id, "talk forever");
    await events.waitFor("agent_message_chunk", (e) => e.seq > seen, 90_000);
    await live.client.sessions.cancel.mutate({ sessionId: session.id });
    const ended = await events.waitFor("turn_ended", (e) => e.seq > seen, 60_000);
    expect(ended.stopReason).toBe("cancelled");
    await vi.waitFor(async () =>
      expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle"),
    );
    events.stop();
  });

  it("stop leaves no process of the agent behind; resume continues the conversation", async () => {
    const { session, events, sandboxDir } = await startClaude();
    live.upstream.enqueue([{ text: "I will remember the word PINEAPPLE." }]);
    await send(session.id, "remember a word");
    await events.waitFor("turn_ended", undefined, 90_000);
    expect(processesUnder(sandboxDir).some((p) => p.cmdline.includes("claude-agent-acp"))).toBe(true);

    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended");
    // claude-agent-acp does not exit when its stdin closes: the sandbox's process group ends it.
    await vi.waitFor(() => expect(processesUnder(sandboxDir)).toEqual([]), { timeout: 20_000 });

    const before = events.events.length;
    const requestsBefore = live.upstream.requests.length;
    await live.client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor(
      "status_changed",
      (event) => event.to === "ready" && event.seq > events.events[before - 1]!.seq,
      90_000,
    );
    live.upstream.enqueue([{ text: "The word was PINEAPPLE." }]);
    await send(session.id, "what was the word?");
    await events.waitFor("turn_ended", (event) => event.seq > events.events[before - 1]!.seq, 90_000);
    // Claude Code loaded its own conversation back (session/load): the model saw the first exchange.
    const last = anthropicCalls(requestsBefore).at(-1)!;
    expect(JSON.stringify(last.body)).toContain("I will remember the word PINEAPPLE.");
    expect(events.events.some((e) => e.type === "notice" && e.code === "memory_rebuilt")).toBe(false);
    expect(
      events.events.filter((e) => e.type === "user_message").map((e) => (e as { text: string }).text),
    ).toEqual(["remember a word", "what was the word?"]);
    events.stop();
  });
  it("rebuilds the agent's memory from the session's history when Claude Code cannot load it, and says so", async () => {
    const { session, events, sandboxDir } = await startClaude();
    live.upstream.enqueue([{ text: "I will remember the word MANGO." }]);
    await send(session.id, "remember a fruit");
    await events.waitFor("turn_ended", undefined, 90_000);
    await live.client.sessions.stop.mutate({ sessionId: session.id });
    await events.waitFor("session_ended");
    // Claude Code's own record of its conversations, gone (a wiped home, a disk restored): it
    // cannot load this one any more.
    const transcripts = path.join(sandboxDir, "home", ".claude", "projects");
    expect(existsSync(transcripts)).toBe(true);
    rmSync(transcripts, { recursive: true, force: true });

    const seen = events.events.at(-1)!.seq;
    const requestsBefore = live.upstream.requests.length;
    await live.client.sessions.resume.mutate({ sessionId: session.id });
    await events.waitFor("status_changed", (e) => e.to === "ready" && e.seq > seen, 90_000);
    const notice = await events.waitFor("notice", (e) => e.code === "memory_rebuilt" && e.seq > seen);
    expect(notice.message).toMatch(/Claude Code cannot reload its own conversation/);
    live.upstream.enqueue([{ text: "The fruit was MANGO." }]);
    await send(session.id, "which fruit?");
    await events.waitFor("turn_ended", (e) => e.seq > seen, 90_000);
    // The model saw the first exchange again, rebuilt from the log, before the new question.
    const body = JSON.stringify(anthropicCalls(requestsBefore).at(-1)!.body);
    expect(body).toContain("Person: remember a fruit");
    expect(body).toContain("You: I will remember the word MANGO.");
    expect(body.indexOf("I will remember the word MANGO.")).toBeLessThan(body.indexOf("which fruit?"));
    // Only the next prompt carries it.
    live.upstream.enqueue([{ text: "Still MANGO." }]);
    const before = events.events.at(-1)!.seq;
    const requestsThen = live.upstream.requests.length;
    await send(session.id, "and now?");
    await events.waitFor("turn_ended", (e) => e.seq > before, 90_000);
    const next = JSON.stringify(anthropicCalls(requestsThen).at(-1)!.body);
    expect(next.match(/<conversation>/g) ?? []).toHaveLength(1);
    events.stop();
  });
  it("restarts Claude Code once when its process dies, and the conversation goes on", async () => {
    const { session, events, sandboxDir } = await startClaude();
    live.upstream.enqueue([{ text: "Before the crash." }]);
    await send(session.id, "hello");
    await events.waitFor("turn_ended", undefined, 90_000);
    // The adapter (a Node process running claude-agent-acp), not the sandbox-agent that spawned it.
    const adapters = processesUnder(sandboxDir).filter(
      (p) => p.cmdline.includes("claude-agent-acp") && !p.cmdline.includes("sandbox-agent server"),
    );
    expect(adapters.length).toBeGreaterThan(0);
    for (const adapter of adapters) process.kill(adapter.pid, "SIGKILL");
    const notice = await events.waitFor("notice", (e) => e.code === "agent_restarted", 60_000);
    expect(notice.level).toBe("warning");
    const requestsBefore = live.upstream.requests.length;
    live.upstream.enqueue([{ text: "After the crash." }]);
    await send(session.id, "still there?");
    await events.waitFor("turn_ended", (e) => e.seq > notice.seq, 90_000);
    expect(JSON.stringify(anthropicCalls(requestsBefore).at(-1)!.body)).toContain("Before the crash.");
    expect((await live.client.sessions.get.query({ sessionId: session.id })).status).toBe("idle");
    events.stop();
  });
});
