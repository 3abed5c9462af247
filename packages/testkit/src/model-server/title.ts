import type { JsonObject } from "./formats/common.ts";
import type { WireFormat } from "./types.ts";

// OpenCode 1.18's title agent: system prompt "You are a title generator. ...", then a user message
// "Generate a title for this conversation:", and never any tools.
const TITLE_SYSTEM = /\btitle generator\b/i;
const TITLE_USER = /^generate a title for this conversation/i;

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : ""))
      .join("\n");
  }
  return "";
}

function messages(body: JsonObject, key: string): JsonObject[] {
  const list = body[key];
  return Array.isArray(list) ? list.filter((m): m is JsonObject => !!m && typeof m === "object") : [];
}

function systemAndFirstUserText(format: WireFormat, body: JsonObject): { system: string; user: string } {
  switch (format) {
    case "chat-completions":
    case "responses": {
      const list = messages(body, format === "responses" ? "input" : "messages");
      const system = list
        .filter((m) => m.role === "system" || m.role === "developer")
        .map((m) => textOf(m.content));
      if (typeof body.instructions === "string") system.push(body.instructions);
      return { system: system.join("\n"), user: textOf(list.find((m) => m.role === "user")?.content) };
    }
    case "anthropic":
      return {
        system: textOf(body.system),
        user: textOf(messages(body, "messages").find((m) => m.role === "user")?.content),
      };
    case "google": {
      const instruction = body.systemInstruction as JsonObject | undefined;
      const firstUser = messages(body, "contents").find((m) => m.role === "user");
      return { system: textOf(instruction?.parts), user: textOf(firstUser?.parts) };
    }
  }
}

export function isTitleRequest(format: WireFormat, body: JsonObject): boolean {
  if (Array.isArray(body.tools) && body.tools.length > 0) return false;
  const { system, user } = systemAndFirstUserText(format, body);
  return TITLE_SYSTEM.test(system) || TITLE_USER.test(user.trim());
}
