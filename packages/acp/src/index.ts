export { AcpClient, type AcpClientOptions, type RequestOptions } from "./client.ts";
export {
  AcpClosedError,
  AcpHttpError,
  AcpRpcError,
  AcpTimeoutError,
  AgentExitedError,
} from "./errors.ts";
export * from "./events.ts";
export type { JsonRpcErrorObject, JsonRpcId, JsonRpcMessage } from "./jsonrpc.ts";
export {
  type NormaliseContext,
  type NormalisedPromptResult,
  normaliseAgentMessage,
  normalisePromptResult,
} from "./normalise.ts";
export type { OpencodeApiOptions } from "./opencode-api.ts";
export {
  OpencodeQuestions,
  type OpencodeQuestionsOptions,
  type PendingQuestion,
  QuestionNotFoundError,
} from "./opencode-questions.ts";
export { isAgentSessionBusy, settledMessageText } from "./opencode-sessions.ts";
export type * from "./types.ts";
