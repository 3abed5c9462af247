import { describe, expect, it } from "vitest";
import { forwardedRequestHeaders } from "./request-policy.ts";

describe("the Anthropic betas a sandbox may ask for", () => {
  it("keeps context management (Claude Code's context_management field) and drops betas that act on the account", () => {
    const headers = forwardedRequestHeaders("anthropic", "anthropic", {
      "anthropic-beta": "claude-code-20250219,context-management-2025-06-27,files-api-2025-04-14",
    });
    expect(headers["anthropic-beta"]).toBe("context-management-2025-06-27");
  });
});
