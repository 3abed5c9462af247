// How preview addresses are read (path mode's path, subdomain mode's host) and PREVIEW_DOMAIN's
// configuration: hostile input included.
import { previewUrl } from "@studio/core";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.ts";
import { isPreviewPath, parsePreviewPath } from "./preview-access.ts";
import { isStudioCookie } from "./preview-proxy.ts";
import { isUnderPreviewDomain, parsePreviewHost } from "./preview-subdomain.ts";

const session = "abcdefghij234567abcdefgh";

describe("path mode addresses", () => {
  it("reads the session, the port and what the app is asked for", () => {
    expect(parsePreviewPath(`/preview/${session}/3000/a/b?c=1`)).toEqual({
      sessionId: session,
      port: 3000,
      prefix: `/preview/${session}/3000`,
      rest: "/a/b?c=1",
    });
    expect(parsePreviewPath(`/preview/${session}/3000`)?.rest).toBe("");
    expect(parsePreviewPath(`/preview/${session}/65535/`)?.port).toBe(65535);
  });

  it("refuses what is not a preview address", () => {
    for (const bad of [
      "/preview",
      "/preview/",
      `/preview/${session}`,
      `/preview/${session}/0/`,
      `/preview/${session}/03000/`,
      `/preview/${session}/65536/`,
      `/preview/${session}/123456/`,
      `/preview/${session}/-1/`,
      `/preview/${session}/3000x/`,
      "/preview/ABC/3000/",
      "/preview/../3000/",
      `/preview/${"a".repeat(65)}/3000/`,
    ])
      expect(parsePreviewPath(bad), bad).toBeNull();
    expect(isPreviewPath("/previews")).toBe(false);
    expect(isPreviewPath("/preview")).toBe(true);
  });
});

describe("subdomain mode addresses", () => {
  it("reads `<port>-<session>.<domain>`, with or without a port on the Host", () => {
    expect(parsePreviewHost(`3000-${session}.preview.example.com`, "preview.example.com")).toEqual({
      sessionId: session,
      port: 3000,
    });
    expect(parsePreviewHost(`8080-${session}.Preview.Example.com:443`, "preview.example.com")?.port).toBe(
      8080,
    );
  });

  it("refuses other names", () => {
    for (const bad of [
      "preview.example.com",
      `3000-${session}.example.com`,
      `3000-${session}.evilpreview.example.com`,
      `x.3000-${session}.preview.example.com`,
      `0-${session}.preview.example.com`,
      `65536-${session}.preview.example.com`,
      `3000-${session.toUpperCase()}-x.preview.example.com`,
      `3000_${session}.preview.example.com`,
    ])
      expect(parsePreviewHost(bad, "preview.example.com"), bad).toBeNull();
    expect(isUnderPreviewDomain("a.preview.example.com", "preview.example.com")).toBe(true);
    expect(isUnderPreviewDomain("preview.example.com", "preview.example.com")).toBe(false);
    expect(isUnderPreviewDomain("a.preview.example.com", null)).toBe(false);
  });

  it("links to the preview's own origin, or under the studio's in path mode", () => {
    expect(previewUrl({ publicUrl: "https://studio.example.com" }, session, 3000)).toBe(
      `https://studio.example.com/preview/${session}/3000/`,
    );
    expect(
      previewUrl(
        { publicUrl: "https://studio.example.com", previewDomain: "preview.example.com" },
        session,
        3000,
      ),
    ).toBe(`https://3000-${session}.preview.example.com/`);
  });
});

describe("the studio's cookies", () => {
  it("are known by name, with or without a cookie prefix", () => {
    for (const name of ["studio_session", " studio_preview", "__Host-studio_preview", "__Secure-Studio_x"])
      expect(isStudioCookie(name), name).toBe(true);
    for (const name of ["app", "session", "my_studio_session"])
      expect(isStudioCookie(name), name).toBe(false);
  });
});

describe("PREVIEW_DOMAIN", () => {
  it("is a bare domain name, lower-cased; anything else is a configuration error", () => {
    expect(loadConfig({ PREVIEW_DOMAIN: " Preview.Example.com " }).previewDomain).toBe("preview.example.com");
    for (const bad of [
      "https://preview.example.com",
      "preview.example.com:8443",
      "preview.example.com/x",
      "*.example.com",
      "-a.example.com",
    ])
      expect(() => loadConfig({ PREVIEW_DOMAIN: bad }), bad).toThrow(/PREVIEW_DOMAIN/);
  });
});
