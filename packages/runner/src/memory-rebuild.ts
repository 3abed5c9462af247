// An agent that cannot load its conversation back (no ACP `session/load`) gets a new agent session
// on resume or restart. The chat says so at once, and the next prompt carries the conversation
// rebuilt from the studio's own event log (core's conversation-rebuild.ts).
import type { AcpContentBlock } from "@studio/acp";
import { readRebuiltConversation } from "@studio/core/runner";
import { getAgentProfile } from "@studio/models";
import type { AgentConnection } from "./agent-connection.ts";
import type { RunnerContext } from "./runner-state.ts";

/** After a new agent connection: a rebuilt memory is announced and remembered for the next prompt. */
export function noteMemoryRebuilt(runner: RunnerContext, connection: AgentConnection) {
  if (!connection.memoryRebuilt) return;
  runner.state.rebuildMemory = true;
  const name = getAgentProfile(connection.agent).name;
  runner.writer.push([
    {
      type: "notice",
      level: "warning",
      code: "memory_rebuilt",
      message: `${name} cannot reload its own conversation, so it starts afresh. Its memory is rebuilt from this session's history and given to it with your next message.`,
    },
  ]);
}

/** The prompt's content: the person's text, after the rebuilt conversation when one is due. */
export async function promptContent(
  runner: RunnerContext,
  messageId: string,
  text: string,
): Promise<AcpContentBlock[]> {
  const prompt: AcpContentBlock[] = [{ type: "text", text }];
  if (!runner.state.rebuildMemory) return prompt;
  const conversation = await readRebuiltConversation(runner.deps.db, runner.sessionId, messageId);
  runner.state.rebuildMemory = false;
  return conversation ? [{ type: "text", text: conversation }, ...prompt] : prompt;
}
