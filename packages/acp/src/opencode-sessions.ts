// What OpenCode's own API says of a session that ACP does not: a message's settled text, and
// whether it is working at all. A message's settled text: ACP streams text as chunks that carry the
// message's id but not the part's, and says nothing when OpenCode retries a model call that was cut
// (a gateway gone mid-stream, a network blip): OpenCode then empties the cut attempt's text part
// and streams the whole answer again into the same message, so the chunks hold both attempts.
// OpenCode's stored message holds only what stands.
import { z } from "zod";
import { OpencodeApi, type OpencodeApiOptions } from "./opencode-api.ts";

const messageSchema = z.object({
  parts: z.array(
    z
      .object({ type: z.string(), text: z.string().optional(), synthetic: z.boolean().optional() })
      .passthrough(),
  ),
});

/** The text of an assistant message as OpenCode keeps it: its text parts, in order. */
export async function settledMessageText(
  options: OpencodeApiOptions,
  agentSessionId: string,
  messageId: string,
): Promise<string> {
  const api = new OpencodeApi(options);
  const body = await api.call(
    "GET",
    `/session/${encodeURIComponent(agentSessionId)}/message/${encodeURIComponent(messageId)}`,
  );
  return messageSchema
    .parse(body)
    .parts.filter((part) => part.type === "text" && !part.synthetic)
    .map((part) => part.text ?? "")
    .join("");
}

/**
 * Whether OpenCode is working on the session: `GET /session/status` lists the sessions that are
 * busy (a waiting permission or question counts) or retrying a model call; an idle one is absent.
 */
export async function isAgentSessionBusy(
  options: OpencodeApiOptions,
  agentSessionId: string,
): Promise<boolean> {
  const body = await new OpencodeApi(options).call("GET", "/session/status");
  const status = z.record(z.string(), z.object({ type: z.string() }).passthrough()).parse(body ?? {});
  const type = status[agentSessionId]?.type;
  return type !== undefined && type !== "idle";
}
