// Between the agent's requests and the person's answers: agent requests become interaction rows
// (before their events are visible), and answers go back to the agent the way it takes them.
import { type AcpClient, type AcpInbound, OpencodeQuestions } from "@studio/acp";
import type { StudioEvent } from "@studio/acp/events";
import {
  type PermissionRequestRecord,
  permissionRequestOf,
  type QuestionRecord,
  questionToolCallOf,
  recordInteraction,
} from "@studio/core/runner";
import type { Db } from "@studio/db";
import type { SandboxHandle } from "@studio/sandbox";
import { opencodeApiOptions } from "./opencode-api.ts";

/** Rows for the permission requests and questions among a message's events; keys scoped to the agent process. */
export async function recordAgentInteractions(
  db: Db,
  sessionId: string,
  serverId: string,
  inbound: AcpInbound,
  events: StudioEvent[],
  askedQuestions: Set<string>,
) {
  for (const event of events) {
    if (event.type === "permission_requested" && inbound.type === "request") {
      const record: PermissionRequestRecord = {
        kind: "permission",
        jsonRpcId: inbound.id,
        title: event.title,
        options: event.options,
        toolCallId: event.toolCallId,
      };
      await recordInteraction(
        db,
        sessionId,
        event.interactionId,
        `${serverId}:permission:${String(inbound.id)}`,
        record,
      );
    }
    if (event.type === "question_asked") {
      askedQuestions.add(event.toolCallId);
      const record: QuestionRecord = {
        kind: "question",
        questions: event.questions,
        toolCallId: event.toolCallId,
      };
      await recordInteraction(
        db,
        sessionId,
        event.interactionId,
        `${serverId}:question:${event.toolCallId}`,
        record,
      );
    }
  }
}

/** A permission answer goes back as the JSON-RPC result of the agent's own request. */
export async function replyPermission(
  db: Db,
  client: AcpClient,
  interactionId: string,
  optionId: string | null,
) {
  const request = await permissionRequestOf(db, interactionId);
  if (!request) return;
  await client.respondPermission(
    request.jsonRpcId,
    optionId ? { outcome: "selected", optionId } : { outcome: "cancelled" },
  );
}

/** OpenCode takes question answers on its own HTTP API, not over ACP. */
export async function replyQuestion(
  db: Db,
  sandbox: SandboxHandle,
  interactionId: string,
  answers: string[][] | null,
) {
  const toolCallId = await questionToolCallOf(db, interactionId);
  if (!toolCallId) return;
  const questions = new OpencodeQuestions(opencodeApiOptions(sandbox));
  if (answers) await questions.reply(toolCallId, answers);
  else await questions.reject(toolCallId);
}

/** The events that close interactions nobody answered (turn cancelled, agent restarted). */
export function cancelledInteractionEvents(
  rows: Array<{ id: string; kind: "permission" | "question" }>,
): StudioEvent[] {
  return rows.map((row) =>
    row.kind === "permission"
      ? {
          type: "permission_resolved",
          interactionId: row.id,
          optionId: null,
          optionKind: null,
          answeredBy: null,
        }
      : { type: "question_answered", interactionId: row.id, answers: null, answeredBy: null },
  );
}
