export { CONTROL_PREFIX } from "./control.ts";
export { manyChunks, splitIntoChunks, textReply, toolCallReply } from "./script.ts";
export { startScriptedModelServer } from "./server.ts";
export { isTitleRequest } from "./title.ts";
export type {
  FinishReason,
  ModelsListing,
  RecordedRequest,
  ScriptedModelServer,
  ScriptedModelServerOptions,
  ScriptedReply,
  ScriptedReplyObject,
  ScriptedToolCall,
  ScriptedUsage,
  ScriptStep,
  WireFormat,
} from "./types.ts";
