// OpenCode's question tool, end to end against the REAL sandbox-agent and opencode: the question
// shows up over ACP as a tool call, and OpencodeQuestions answers it through opencode's own HTTP
// API (opencode started with --port through sandbox-agent's launcher file).

import { type ScriptedModelServer, startScriptedModelServer } from "@studio/testkit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Inbox } from "../test/inbox.ts";
import { freePort, type SandboxAgentHarness, startSandboxAgent } from "../test/sandbox-agent-harness.ts";
import { AcpClient } from "./client.ts";
import type { StudioEvent } from "./events.ts";
import { normaliseAgentMessage } from "./normalise.ts";
import { OpencodeQuestions, QuestionNotFoundError } from "./opencode-questions.ts";

const TIMEOUT = 180_000;
let model: ScriptedModelServer;
let harness: SandboxAgentHarness;
let client: AcpClient;

beforeEach(async () => {
  model = await startScriptedModelServer();
  harness = await startSandboxAgent({ modelUrl: model.url, opencodePort: await freePort() });
}, TIMEOUT);
afterEach(async () => {
  await client?.close();
  await harness?.stop();
  await model?.close();
}, TIMEOUT);

const colourQuestion = {
  question: "Which colour should the button be?",
  header: "Colour",
  multiple: false,
  options: [
    { label: "Red", description: "A warm colour" },
    { label: "Blue", description: "A cool colour" },
  ],
};

/** Starts a turn that asks the colour question; resolves once the studio event says so. */
async function askColour() {
  model.enqueue(
    [{ toolCall: { name: "question", arguments: { questions: [colourQuestion] } } }],
    [{ text: "Red it is." }],
  );
  client = new AcpClient({ baseUrl: harness.baseUrl, token: harness.token, serverId: "srv-q" });
  const inbox = new Inbox(client);
  await client.initialize();
  const { sessionId } = await client.newSession(harness.workspace);
  const turn = client.prompt(sessionId, [{ type: "text", text: "ask me which colour" }]);
  const asked = new Set<string>();
  const events: StudioEvent[] = [];
  await inbox.waitFor((item) => {
    for (const event of normaliseAgentMessage(item.message, {
      interactionIdFor: (k) => k,
      askedQuestionIds: asked,
    })) {
      events.push(event);
      if (event.type === "question_asked") asked.add(event.toolCallId);
    }
    return asked.size > 0;
  });
  const question = events.find((e) => e.type === "question_asked");
  if (question?.type !== "question_asked") throw new Error("unreachable");
  const questions = new OpencodeQuestions({
    opencodeUrl: harness.opencodeUrl!,
    directory: harness.workspace,
  });
  return { inbox, turn, question, questions };
}

/** opencode lists the question shortly after the ACP update; poll its API, no timing assumed. */
async function waitForListed(questions: OpencodeQuestions, toolCallId: string) {
  for (let k = 0; k < 100; k++) {
    const found = await questions.findQuestion(toolCallId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`opencode never listed the question of ${toolCallId}`);
}

function lastUpdate(inbox: Inbox, toolCallId: string) {
  return inbox
    .updates("tool_call_update")
    .filter((u) => u.toolCallId === toolCallId)
    .at(-1);
}

describe("OpencodeQuestions against opencode's HTTP API", { timeout: TIMEOUT }, () => {
  it("replies to a question raised over ACP, and the turn continues", async () => {
    const { inbox, turn, question, questions } = await askColour();
    expect(question).toMatchObject({
      interactionId: `question:${question.toolCallId}`,
      questions: [colourQuestion],
    });
    const listed = await waitForListed(questions, question.toolCallId);
    expect(listed).toMatchObject({ questions: [colourQuestion], tool: { callID: question.toolCallId } });

    await questions.reply(question.toolCallId, [["Red"]]);
    expect((await turn).stopReason).toBe("end_turn");
    await expect.poll(() => lastUpdate(inbox, question.toolCallId)?.status).toBe("completed");
    expect(lastUpdate(inbox, question.toolCallId)).toMatchObject({
      status: "completed",
      rawOutput: { metadata: { answers: [["Red"]] } },
    });
    expect(await questions.findQuestion(question.toolCallId)).toBeNull();
    await expect(questions.reply(question.toolCallId, [["Blue"]])).rejects.toBeInstanceOf(
      QuestionNotFoundError,
    );
  });

  it("rejects a question: the tool call fails and the turn ends", async () => {
    const { inbox, turn, question, questions } = await askColour();
    await waitForListed(questions, question.toolCallId);
    await questions.reject(question.toolCallId);
    await turn;
    // opencode may send the tool call's last update just after the prompt's answer.
    await expect.poll(() => lastUpdate(inbox, question.toolCallId)?.status).toBe("failed");
  });
});
