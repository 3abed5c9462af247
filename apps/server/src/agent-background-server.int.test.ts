// OpenCode's bash tool starting a server that keeps running, through the whole studio: a real studio
// process, the real sandbox-agent and OpenCode in a local sandbox, the scripted model server as the
// only stand-in. OpenCode 1.18.33 ends a bash call only when the command's output pipes close, and
// whatever the command leaves running holds them: the call stayed "running" until OpenCode's
// 2-minute timeout, which then killed the server unless it had left the process group
// (workspace/opencode-shell.ts). Now the call ends with the command, the model gets the command's
// own output, and the server keeps serving after the turn, through the preview proxy.
import { describe, expect, it, vi } from "vitest";
import { randomPort } from "./previews-test-support.ts";
import { answerPermission, toolStatuses } from "./testing/agent-turns.ts";
import { useLiveStudio } from "./testing/live-studio.ts";
import { lastSeq } from "./testing/session-events.ts";

const live = useLiveStudio({ env: { PREVIEW_DOMAIN: "" } });
// Far below OpenCode's 2-minute bash timeout, far above a turn's few seconds here.
const TURN_END = 40_000;
const PAGE = "<h1>Hello preview</h1>";

/**
 * Runs `command` as one bash tool call, allowed once, on the file's ready session, and waits for the
 * turn to end, looking only at the events after the previous turn. Only the call is scripted (the
 * follow-up gets the model server's default reply), and a turn that does not end is cancelled: a
 * call left hanging must not answer, or leave a reply for, the next test.
 */
async function bashTurn(command: string) {
  const { session, events } = await live.readySession();
  const mark = lastSeq(events.events);
  const after = (event: { seq: number }) => event.seq > mark;
  const before = live.upstream.requests.length;
  live.upstream.enqueue([
    { toolCall: { name: "bash", arguments: { command, description: "Serve the site" } } },
  ]);
  await live.client.sessions.sendMessage.mutate({ sessionId: session.id, text: "serve the site" });
  const asked = await events.waitFor("permission_requested", after);
  await answerPermission(live.client, session.id, asked, "allow_once");
  try {
    const ended = await events.waitFor("turn_ended", after, TURN_END);
    // What the model was given back: the tool message of the follow-up call.
    const followUp = live.upstream.requests
      .slice(before)
      .filter((request) => !request.isTitle)
      .at(-1)?.body as { messages?: Array<{ role: string; content: unknown }> } | undefined;
    const toolOutput = String(followUp?.messages?.find((message) => message.role === "tool")?.content ?? "");
    return { session, ended, statuses: toolStatuses(events.events, asked.toolCallId), toolOutput };
  } catch (error) {
    await live.client.sessions.cancel.mutate({ sessionId: session.id });
    await events.waitFor("turn_ended", after);
    throw error;
  }
}

/** The page the sandbox's server answers through the studio's preview proxy. */
async function served(sessionId: string, port: number): Promise<{ status: number; text: string }> {
  const response = await fetch(`${live.url}/preview/${sessionId}/${port}/`, {
    headers: { authorization: `Bearer ${live.token}` },
  });
  return { status: response.status, text: await response.text() };
}

describe("a bash tool call that starts a server", { timeout: 180_000 }, () => {
  it("ends with its command, and the server it left running serves after the turn", async () => {
    const port = randomPort();
    // What a model writes: the server in the background, its output not redirected.
    const { session, ended, statuses, toolOutput } = await bashTurn(
      `mkdir -p site && echo '${PAGE}' > site/index.html && echo "starting on ${port}" && ` +
        `(cd site && python3 -m http.server ${port} &) && echo "a warning" >&2`,
    );
    expect(ended.stopReason).toBe("end_turn");
    expect(statuses.at(-1)).toBe("completed");
    // The command's own output, stderr included, and nothing from OpenCode's timeout.
    expect(toolOutput).toContain(`starting on ${port}\n`);
    expect(toolOutput).toContain("a warning\n");
    expect(toolOutput).not.toContain("timeout");
    await vi.waitFor(
      async () => expect(await served(session.id, port)).toEqual({ status: 200, text: `${PAGE}\n` }),
      {
        timeout: 15_000,
        interval: 250,
      },
    );
  });

  it("ends at once for a server detached the way the previews end-to-end test starts it", async () => {
    const port = randomPort();
    const { session, ended, statuses } = await bashTurn(
      `mkdir -p site && echo '${PAGE}' > site/index.html && ` +
        `(cd site && setsid nohup python3 -m http.server ${port} </dev/null >/dev/null 2>&1 &)`,
    );
    expect(ended.stopReason).toBe("end_turn");
    expect(statuses.at(-1)).toBe("completed");
    await vi.waitFor(
      async () => expect(await served(session.id, port)).toEqual({ status: 200, text: `${PAGE}\n` }),
      {
        timeout: 15_000,
        interval: 250,
      },
    );
  });
});
