import { describe, expect, it } from "vitest";
import { sseMessages, transcriptNames } from "../test/fixtures.ts";
import { type StudioEvent, studioEventSchema } from "./events.ts";
import { type NormaliseContext, normaliseAgentMessage } from "./normalise.ts";
import { workspaceRelativiser } from "./workspace-paths.ts";

// A local sandbox's workspace: the host's layout, which nobody in the studio should see.
const WS = "/home/alice/.data/sandboxes/sbx-6c432cbb86da9a64/workspace";

const context = (workspaceDir = WS): NormaliseContext => ({
  interactionIdFor: (key) => `int-${key}`,
  workspaceDir,
});

const update = (u: Record<string, unknown>) => ({
  jsonrpc: "2.0",
  method: "session/update",
  params: { sessionId: "s", update: u },
});

describe("workspaceRelativiser", () => {
  const relative = workspaceRelativiser(WS);

  it("makes paths inside the workspace relative, the workspace itself `.`", () => {
    expect(relative(`${WS}/hello.txt`)).toBe("hello.txt");
    expect(relative(`${WS}/src/app.ts`)).toBe("src/app.ts");
    expect(relative(WS)).toBe(".");
    expect(relative(`${WS}/`)).toBe("./");
    expect(relative(`${WS}//src/a.ts`)).toBe("src/a.ts");
    expect(relative(`file://${WS}/src/a.ts`)).toBe("src/a.ts");
  });

  it("rewrites paths inside free text, at path boundaries only", () => {
    expect(relative(`Edit ${WS}/src/a.ts`)).toBe("Edit src/a.ts");
    expect(relative(`cat ${WS}/a.txt && ls ${WS}`)).toBe("cat a.txt && ls .");
    expect(relative(`cd "${WS}" && make`)).toBe(`cd "." && make`);
    expect(relative(`--dir=${WS}/out`)).toBe("--dir=out");
    expect(relative(`PATH=/usr/bin:${WS}/bin`)).toBe("PATH=/usr/bin:bin");
    expect(relative(`${WS}/a.ts:12`)).toBe("a.ts:12");
    expect(relative(`Index: ${WS}/n.txt\n--- ${WS}/n.txt\n+++ ${WS}/n.txt\n`)).toBe(
      "Index: n.txt\n--- n.txt\n+++ n.txt\n",
    );
  });

  it("also rewrites the workspace written relative to `/` (OpenCode's titles outside a git repo)", () => {
    const fromRoot = WS.slice(1);
    expect(relative(`${fromRoot}/note.txt`)).toBe("note.txt");
    expect(relative(fromRoot)).toBe(".");
    expect(relative(`Read ${fromRoot}/src/a.ts`)).toBe("Read src/a.ts");
    expect(relative(`x${fromRoot}/a.txt`)).toBe(`x${fromRoot}/a.txt`);
    expect(relative(`${fromRoot}-other/a.txt`)).toBe(`${fromRoot}-other/a.txt`);
  });

  it("keeps paths outside the workspace, prefix siblings included, exactly as they are", () => {
    for (const text of [
      "/etc/passwd",
      "/home/alice/.ssh/id_rsa",
      `${WS}-other/a.txt`,
      `${WS}-other`,
      `${WS}2/a.txt`,
      `${WS}.bak`,
      `/mnt${WS}/a.txt`,
      `~${WS}`,
      "workspace/a.txt",
    ]) {
      expect(relative(text)).toBe(text);
    }
  });

  it("accepts the workspace with a trailing slash", () => {
    const withSlash = workspaceRelativiser(`${WS}/`);
    expect(withSlash(`${WS}/a.txt`)).toBe("a.txt");
    expect(withSlash(WS)).toBe(".");
    expect(withSlash(`${WS}-other/a.txt`)).toBe(`${WS}-other/a.txt`);
  });

  it("works for E2B's fixed workspace and changes nothing without an absolute one", () => {
    expect(workspaceRelativiser("/home/user/workspace")("/home/user/workspace/src/a.ts")).toBe("src/a.ts");
    expect(workspaceRelativiser("/home/user/workspace")("/home/user/.studio/agent.env")).toBe(
      "/home/user/.studio/agent.env",
    );
    for (const dir of [undefined, "", "/", "workspace"]) {
      expect(workspaceRelativiser(dir)("/a/b workspace/c")).toBe("/a/b workspace/c");
    }
  });

  it("escapes characters the workspace path shares with regular expressions", () => {
    const odd = workspaceRelativiser("/tmp/a+b (1)/ws");
    expect(odd("/tmp/a+b (1)/ws/x.ts")).toBe("x.ts");
    expect(odd("/tmp/aab (1)/ws/x.ts")).toBe("/tmp/aab (1)/ws/x.ts");
  });
});

describe("normaliseAgentMessage with the workspace", () => {
  it("shows a tool call's title, locations and diff relative to the workspace", () => {
    const [event] = normaliseAgentMessage(
      update({
        sessionUpdate: "tool_call",
        toolCallId: "call_1",
        title: `Edit ${WS}/src/a.ts`,
        kind: "edit",
        status: "pending",
        rawInput: { filePath: `${WS}/src/a.ts`, oldString: "a", newString: "b", cwd: WS },
        content: [{ type: "diff", path: `${WS}/src/a.ts`, oldText: "a", newText: "b" }],
        locations: [{ path: `${WS}/src/a.ts`, line: 3 }, { path: WS }],
      }),
      context(),
    );
    expect(event).toEqual({
      type: "tool_call",
      toolCallId: "call_1",
      title: "Edit src/a.ts",
      kind: "edit",
      status: "pending",
      rawInput: { filePath: "src/a.ts", oldString: "a", newString: "b", cwd: "." },
      content: [{ type: "diff", path: "src/a.ts", oldText: "a", newText: "b" }],
      locations: [{ path: "src/a.ts", line: 3 }, { path: "." }],
    });
  });

  it("rewrites the fields an update carries, and only those", () => {
    const [event] = normaliseAgentMessage(
      update({
        sessionUpdate: "tool_call_update",
        toolCallId: "call_1",
        status: "failed",
        rawOutput: { error: `ENOENT: ${WS}/missing.txt` },
        content: [{ type: "content", content: { type: "text", text: `ls: ${WS}/missing.txt: not found` } }],
      }),
      context(),
    );
    expect(event).toEqual({
      type: "tool_call_update",
      toolCallId: "call_1",
      status: "failed",
      rawOutput: { error: "ENOENT: missing.txt" },
      content: [{ type: "text", text: "ls: missing.txt: not found" }],
    });
  });

  it("keeps paths outside the workspace and in a prefix sibling as they are", () => {
    const [event] = normaliseAgentMessage(
      update({
        sessionUpdate: "tool_call",
        toolCallId: "call_2",
        title: `cat /etc/passwd ${WS}-other/a.txt`,
        locations: [{ path: "/etc/passwd" }, { path: `${WS}-other/a.txt` }],
      }),
      context(),
    );
    expect(event).toMatchObject({
      title: `cat /etc/passwd ${WS}-other/a.txt`,
      locations: [{ path: "/etc/passwd" }, { path: `${WS}-other/a.txt` }],
    });
  });

  it("shows a permission request's title, input and diff relative to the workspace", () => {
    const [event] = normaliseAgentMessage(
      {
        jsonrpc: "2.0",
        id: 4,
        method: "session/request_permission",
        params: {
          sessionId: "s",
          options: [{ optionId: "once", name: "Allow once", kind: "allow_once" }],
          toolCall: {
            toolCallId: "call_3",
            title: `${WS}/note.txt`,
            kind: "edit",
            rawInput: { filepath: `${WS}/note.txt`, diff: `--- ${WS}/note.txt\n+++ ${WS}/note.txt\n` },
            content: [{ type: "diff", path: `${WS}/note.txt`, oldText: "", newText: "hi\n" }],
          },
        },
      },
      context(),
    );
    expect(event).toEqual({
      type: "permission_requested",
      interactionId: "int-permission:4",
      toolCallId: "call_3",
      title: "note.txt",
      kind: "edit",
      options: [{ optionId: "once", name: "Allow once", kind: "allow_once" }],
      rawInput: { filepath: "note.txt", diff: "--- note.txt\n+++ note.txt\n" },
      content: [{ type: "diff", path: "note.txt", oldText: "", newText: "hi\n" }],
    });
  });

  it("shows a question's paths relative to the workspace", () => {
    const events = normaliseAgentMessage(
      update({
        sessionUpdate: "tool_call",
        toolCallId: "call_4",
        title: "question",
        status: "pending",
        rawInput: {
          questions: [
            {
              question: `Overwrite ${WS}/config.json?`,
              options: [{ label: "Yes", description: `Replaces ${WS}/config.json` }],
            },
          ],
        },
      }),
      context(),
    );
    expect(events.find((e) => e.type === "question_asked")).toMatchObject({
      questions: [
        {
          question: "Overwrite config.json?",
          options: [{ label: "Yes", description: "Replaces config.json" }],
        },
      ],
    });
  });

  it("leaves the text of messages and thoughts as the agent wrote it", () => {
    const text = `I wrote ${WS}/a.txt`;
    for (const sessionUpdate of ["agent_message_chunk", "agent_thought_chunk"]) {
      const [event] = normaliseAgentMessage(
        update({ sessionUpdate, messageId: "m", content: { type: "text", text } }),
        context(),
      );
      expect(event).toMatchObject({ text });
    }
  });

  it("keeps absolute paths when the runner gives no workspace", () => {
    const [event] = normaliseAgentMessage(
      update({ sessionUpdate: "tool_call", toolCallId: "c", title: `${WS}/a.txt` }),
      { interactionIdFor: (key) => key },
    );
    expect(event).toMatchObject({ title: `${WS}/a.txt` });
  });
});

describe("the recorded transcripts, with their real cwd", () => {
  const CWD = "/sandbox/ws"; // what the recordings passed to session/new
  const isMessageText = (e: StudioEvent) =>
    e.type === "agent_message_chunk" || e.type === "thought_chunk" || e.type === "user_message";

  it.each(transcriptNames)("%s: no event but message text still names the cwd", (name) => {
    for (const { sseId, message } of sseMessages(name)) {
      for (const event of normaliseAgentMessage(message, { ...context(CWD), eventId: sseId })) {
        expect(studioEventSchema.safeParse(event).error).toBeUndefined();
        if (!isMessageText(event)) expect(JSON.stringify(event)).not.toContain(CWD);
      }
    }
  });

  it("shows the bash call's cwd as `.` and the write's file as note.txt", () => {
    const events = sseMessages("acp-transcript.jsonl").flatMap(({ message }) =>
      normaliseAgentMessage(message, context(CWD)),
    );
    expect(events.find((e) => e.type === "tool_call" && e.toolCallId === "call_3")).toMatchObject({
      rawInput: { cwd: "." },
      locations: [{ path: "." }],
    });
    expect(events.find((e) => e.type === "permission_requested" && e.toolCallId === "call_5")).toMatchObject({
      title: "note.txt",
      content: [{ type: "diff", path: "note.txt" }],
      rawInput: { filepath: "note.txt", diff: expect.stringContaining("--- note.txt\n+++ note.txt\n") },
    });
  });
});
