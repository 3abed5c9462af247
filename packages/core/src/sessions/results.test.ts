import { describe, expect, it } from "vitest";
import { commitMessageFrom, downloadBaseName } from "./results.ts";

describe("commitMessageFrom", () => {
  it("takes the title as the subject and lists what was asked", () => {
    expect(commitMessageFrom("Fix the login form", ["Fix the login\nform please", "  Add a test "])).toBe(
      ["Fix the login form", "", "Asked in Studio:", "- Fix the login", "- Add a test"].join("\n"),
    );
  });

  it("falls back to the first request, then a plain subject, and shortens long ones", () => {
    expect(commitMessageFrom(null, ["Rename foo"]).split("\n")[0]).toBe("Rename foo");
    expect(commitMessageFrom(null, [])).toBe("Changes made in a Studio session");
    const subject = commitMessageFrom("x".repeat(200), []).split("\n")[0] ?? "";
    expect(subject).toHaveLength(72);
    expect(subject.endsWith("…")).toBe(true);
  });

  it("keeps the last ten requests and says how many came before", () => {
    const prompts = Array.from({ length: 13 }, (_, i) => `request ${i + 1}`);
    const lines = commitMessageFrom("Title", prompts).split("\n");
    expect(lines).toContain("- … and 3 earlier requests");
    expect(lines.at(-1)).toBe("- request 13");
    expect(lines).not.toContain("- request 3");
  });
});

describe("downloadBaseName", () => {
  it("uses the title, else the repository's name, made safe for a file name", () => {
    expect(downloadBaseName({ id: "abcdefghij", title: "Fix: the / login ☃", sourceUrl: null })).toBe(
      "Fix-the-login",
    );
    expect(
      downloadBaseName({ id: "abcdefghij", title: null, sourceUrl: "https://github.com/acme/widgets.git" }),
    ).toBe("widgets");
    expect(downloadBaseName({ id: "abcdefghij", title: "../..", sourceUrl: null })).toBe("session-abcdefgh");
  });
});
