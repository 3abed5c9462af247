import { describe, expect, it } from "vitest";
import { formatCredits, keySourceDescription, keySourceLabel, paysWithCredits } from "./session-status.ts";

describe("which key pays, in words", () => {
  it("names each source, telling the platform's free endpoint apart from platform credits", () => {
    expect(keySourceLabel("direct", "xai")).toBe("Your key");
    expect(keySourceLabel("direct", "custom")).toBe("Your endpoint");
    expect(keySourceLabel("openrouter", "openrouter")).toBe("OpenRouter key");
    expect(keySourceLabel("platform", "anthropic")).toBe("Platform credits");
    expect(keySourceLabel("platform", "openrouter")).toBe("Platform credits");
    expect(keySourceLabel("platform", "custom")).toBe("Platform endpoint");
    expect(paysWithCredits("platform", "custom")).toBe(false);
    expect(paysWithCredits("direct", "xai")).toBe(false);
    expect(keySourceDescription("openrouter", "openrouter", "Anthropic")).toContain("no Anthropic key");
  });

  it("shows money exactly", () => {
    expect(formatCredits(1_731n)).toBe("$0.001731");
    expect(formatCredits(0)).toBe("$0.00");
  });
});
