import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { isSameOrigin } from "./context.ts";
import { readCookie, sessionCookie } from "./cookies.ts";
import { studioOrigins } from "./origins.ts";

const request = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe("origin check", () => {
  const behindProxy = studioOrigins(
    { publicUrl: "https://studio.example.com", host: "10.0.0.5", gatewayPublicUrl: null },
    3000,
  );
  const laptop = studioOrigins({ publicUrl: null, host: "127.0.0.1", gatewayPublicUrl: null }, 3000);

  it("accepts the configured origin whatever the Host, and loopback origins when serving on loopback", () => {
    expect(
      isSameOrigin(request({ origin: "https://studio.example.com", host: "internal:3000" }), behindProxy),
    ).toBe(true);
    for (const origin of ["http://localhost:3000", "http://127.0.0.1:3000", "http://[::1]:3000"]) {
      expect(isSameOrigin(request({ origin, host: "localhost:3000" }), laptop)).toBe(true);
      expect(isSameOrigin(request({ origin, host: "localhost:3000" }), behindProxy)).toBe(false);
    }
  });

  it("never takes the Host header's word for the studio's origin (DNS rebinding)", () => {
    expect(
      isSameOrigin(request({ origin: "http://rebind.example:3000", host: "rebind.example:3000" }), laptop),
    ).toBe(false);
    expect(isSameOrigin(request({ origin: "http://localhost:5173", host: "localhost:5173" }), laptop)).toBe(
      false,
    );
    expect(isSameOrigin(request({ origin: "null", host: "localhost:3000" }), laptop)).toBe(false);
  });

  it("refuses another site's origin and cross-site fetch metadata", () => {
    expect(
      isSameOrigin(request({ origin: "https://evil.example", host: "studio.example.com" }), behindProxy),
    ).toBe(false);
    expect(
      isSameOrigin(request({ "sec-fetch-site": "cross-site", host: "studio.example.com" }), behindProxy),
    ).toBe(false);
  });

  it("lets non-browser clients through: they carry no ambient cookie", () => {
    expect(isSameOrigin(request({ host: "studio.example.com" }), behindProxy)).toBe(true);
  });
});

describe("session cookie", () => {
  it("is HttpOnly and SameSite=Lax, Secure when asked, and cleared with Max-Age=0", () => {
    const expires = new Date("2030-01-01T00:00:00Z");
    expect(sessionCookie("abc.def", expires, true)).toBe(
      "studio_session=abc.def; Path=/; HttpOnly; SameSite=Lax; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure",
    );
    expect(sessionCookie("", null, false)).toBe("studio_session=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
  });

  it("is read from a Cookie header among others", () => {
    expect(readCookie(request({ cookie: "a=1; studio_session=x.y; b=2" }), "studio_session")).toBe("x.y");
    expect(readCookie(request({ cookie: "a=1" }), "studio_session")).toBeNull();
    expect(readCookie(request({ cookie: "studio_session=%E0%A4%A" }), "studio_session")).toBeNull();
  });
});
