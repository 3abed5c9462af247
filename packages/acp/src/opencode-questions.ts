// Answers OpenCode's `question` tool. Over ACP, opencode 1.18.33 only shows the question as a
// tool call (title `question`, `rawInput.questions`) and then waits; nothing on ACP answers it.
// OpenCode's own HTTP API does (the agent runs as `opencode acp --port P`): `GET /question`
// lists pending questions, each with `tool.callID` equal to the ACP toolCallId; `POST
// /question/<id>/reply` answers, `POST /question/<id>/reject` fails the tool. The list is empty
// unless `directory` names the session's cwd.
import { z } from "zod";
import { AcpHttpError } from "./errors.ts";
import { readBody } from "./sse.ts";

const pendingQuestionSchema = z.object({
  id: z.string(),
  sessionID: z.string().optional(),
  questions: z.array(z.unknown()).default([]),
  tool: z.object({ callID: z.string(), messageID: z.string().optional() }).partial().optional(),
});
export type PendingQuestion = z.infer<typeof pendingQuestionSchema>;

export interface OpencodeQuestionsOptions {
  /** OpenCode's HTTP API as the studio server reaches it, e.g. http://127.0.0.1:4096 */
  opencodeUrl: string;
  /** The ACP session's cwd: opencode scopes its question list by directory. */
  directory: string;
  fetch?: typeof fetch;
  /** Extra headers (e.g. basic auth when OPENCODE_SERVER_PASSWORD is set). */
  headers?: Record<string, string>;
}

/** No pending question matches the tool call (already answered, rejected, or cancelled). */
export class QuestionNotFoundError extends Error {
  override readonly name = "QuestionNotFoundError";
  constructor(readonly toolCallId: string) {
    super(`no pending opencode question for tool call ${toolCallId}`);
  }
}

export class OpencodeQuestions {
  readonly #base: string;
  readonly #fetch: typeof fetch;

  constructor(private readonly options: OpencodeQuestionsOptions) {
    this.#base = options.opencodeUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Every question opencode is waiting on in this directory. */
  async list(): Promise<PendingQuestion[]> {
    const url = `${this.#base}/question?directory=${encodeURIComponent(this.options.directory)}`;
    const body = await this.#call("GET", url);
    return z.array(pendingQuestionSchema).parse(body ?? []);
  }

  /** The pending question raised by this ACP tool call, or null. */
  async findQuestion(toolCallId: string): Promise<PendingQuestion | null> {
    return (await this.list()).find((q) => q.tool?.callID === toolCallId) ?? null;
  }

  /** One list of chosen labels (or free text) per question, e.g. `[["Red"]]`. */
  async reply(toolCallId: string, answers: string[][]): Promise<void> {
    const question = await this.#require(toolCallId);
    await this.#call("POST", this.#questionUrl(question.id, "reply"), { answers });
  }

  async reject(toolCallId: string): Promise<void> {
    const question = await this.#require(toolCallId);
    await this.#call("POST", this.#questionUrl(question.id, "reject"));
  }

  async #require(toolCallId: string): Promise<PendingQuestion> {
    const question = await this.findQuestion(toolCallId);
    if (!question) throw new QuestionNotFoundError(toolCallId);
    return question;
  }

  #questionUrl(id: string, action: "reply" | "reject"): string {
    const directory = encodeURIComponent(this.options.directory);
    return `${this.#base}/question/${encodeURIComponent(id)}/${action}?directory=${directory}`;
  }

  async #call(method: "GET" | "POST", url: string, body?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: "application/json", ...this.options.headers };
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await this.#fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const reply = await readBody(response);
    if (!response.ok) {
      const detail = typeof reply === "string" ? reply : JSON.stringify(reply);
      throw new AcpHttpError(response.status, "opencode_question_api", detail, reply);
    }
    return reply;
  }
}
