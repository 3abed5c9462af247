// Answers OpenCode's `question` tool. Over ACP, opencode 1.18.33 only shows the question as a
// tool call (title `question`, `rawInput.questions`) and then waits; nothing on ACP answers it.
// OpenCode's own HTTP API does (the agent runs as `opencode acp --port P`): `GET /question`
// lists pending questions, each with `tool.callID` equal to the ACP toolCallId; `POST
// /question/<id>/reply` answers, `POST /question/<id>/reject` fails the tool. The list is empty
// unless `directory` names the session's cwd.
import { z } from "zod";
import { OpencodeApi, type OpencodeApiOptions } from "./opencode-api.ts";

const pendingQuestionSchema = z.object({
  id: z.string(),
  sessionID: z.string().optional(),
  questions: z.array(z.unknown()).default([]),
  tool: z.object({ callID: z.string(), messageID: z.string().optional() }).partial().optional(),
});
export type PendingQuestion = z.infer<typeof pendingQuestionSchema>;

export type OpencodeQuestionsOptions = OpencodeApiOptions;

/** No pending question matches the tool call (already answered, rejected, or cancelled). */
export class QuestionNotFoundError extends Error {
  override readonly name = "QuestionNotFoundError";
  constructor(readonly toolCallId: string) {
    super(`no pending opencode question for tool call ${toolCallId}`);
  }
}

export class OpencodeQuestions {
  readonly #api: OpencodeApi;

  constructor(options: OpencodeQuestionsOptions) {
    this.#api = new OpencodeApi(options);
  }

  /** Every question opencode is waiting on in this directory. */
  async list(): Promise<PendingQuestion[]> {
    const body = await this.#api.call("GET", "/question");
    return z.array(pendingQuestionSchema).parse(body ?? []);
  }

  /** The pending question raised by this ACP tool call, or null. */
  async findQuestion(toolCallId: string): Promise<PendingQuestion | null> {
    return (await this.list()).find((q) => q.tool?.callID === toolCallId) ?? null;
  }

  /** One list of chosen labels (or free text) per question, e.g. `[["Red"]]`. */
  async reply(toolCallId: string, answers: string[][]): Promise<void> {
    const question = await this.#require(toolCallId);
    await this.#api.call("POST", `/question/${encodeURIComponent(question.id)}/reply`, { answers });
  }

  async reject(toolCallId: string): Promise<void> {
    const question = await this.#require(toolCallId);
    await this.#api.call("POST", `/question/${encodeURIComponent(question.id)}/reject`);
  }

  async #require(toolCallId: string): Promise<PendingQuestion> {
    const question = await this.findQuestion(toolCallId);
    if (!question) throw new QuestionNotFoundError(toolCallId);
    return question;
  }
}
