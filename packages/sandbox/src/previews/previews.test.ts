import { describe, expect, it } from "vitest";
import { PreviewListingError, PreviewPortInvalidError } from "./errors.ts";
import { listenerCommand } from "./listeners.ts";
import { checkPreviewPort, e2bPreviewOrigin } from "./previews.ts";

describe("e2bPreviewOrigin", () => {
  it("is the sandbox's public host for that port, beside sandbox-agent's", () => {
    expect(e2bPreviewOrigin("https://3000-sbx1abc.e2b.app", 5173)).toBe("https://5173-sbx1abc.e2b.app");
    expect(e2bPreviewOrigin("https://3000-sbx1abc.eu.e2b.dev/", 80)).toBe("https://80-sbx1abc.eu.e2b.dev");
  });

  it("refuses a host it cannot read, and a bad port", () => {
    expect(() => e2bPreviewOrigin("http://localhost", 80)).toThrow(PreviewListingError);
    expect(() => e2bPreviewOrigin("not a url", 80)).toThrow(PreviewListingError);
    expect(() => e2bPreviewOrigin("https://3000-sbx1.e2b.app", 0)).toThrow(PreviewPortInvalidError);
  });
});

describe("checkPreviewPort", () => {
  it("takes whole numbers from 1 to 65535 only", () => {
    expect(checkPreviewPort(1)).toBe(1);
    expect(checkPreviewPort(65_535)).toBe(65_535);
    for (const bad of [0, 65_536, -80, 80.5, Number.NaN, Number.POSITIVE_INFINITY, "80", null, undefined]) {
      expect(() => checkPreviewPort(bad)).toThrow(PreviewPortInvalidError);
    }
  });
});

describe("listenerCommand", () => {
  it("passes the sandbox's marker as an argument, never inside the script", () => {
    const { command, args } = listenerCommand({ kind: "marked", sandboxId: "sbx-0123456789abcdef" });
    expect(command).toBe("/bin/sh");
    expect(args.at(-1)).toBe("STUDIO_SANDBOX_ID=sbx-0123456789abcdef");
    expect(args[1]).not.toContain("sbx-0123456789abcdef");
    expect(listenerCommand({ kind: "all" }).args.at(-1)).toBe("");
  });

  it("refuses an id that is not a plain word", () => {
    for (const sandboxId of ["", "a b", "x;rm -rf /", "$(id)", "a\nb", "x".repeat(65)]) {
      expect(() => listenerCommand({ kind: "marked", sandboxId })).toThrow(/bad sandbox id/);
    }
  });
});
