import { describe, expect, it } from "vitest";
import { servesOnLoopback, studioOrigins } from "./origins.ts";

describe("the names the studio answers to", () => {
  const laptop = studioOrigins({ publicUrl: null, host: "127.0.0.1", gatewayPublicUrl: null }, 3000);
  const behindProxy = studioOrigins(
    { publicUrl: "https://studio.example.com", host: "0.0.0.0", gatewayPublicUrl: "http://10.1.2.3:8080" },
    3000,
  );

  it("answers its loopback names on its own port", () => {
    for (const host of ["localhost:3000", "127.0.0.1:3000", "[::1]:3000", "LOCALHOST:3000"]) {
      expect(laptop.hostAllowed(host)).toBe(true);
    }
  });

  it("refuses other names, other ports and a missing Host", () => {
    for (const host of [
      "rebind.example:3000",
      "localhost:3001",
      "localhost",
      "127.0.0.2:3000",
      "0.0.0.0:3000",
    ]) {
      expect(laptop.hostAllowed(host)).toBe(false);
    }
    expect(laptop.hostAllowed(undefined)).toBe(false);
    expect(behindProxy.hostAllowed("evil.example")).toBe(false);
  });

  it("answers PUBLIC_URL's host with or without its default port, and GATEWAY_PUBLIC_URL's", () => {
    expect(behindProxy.hostAllowed("studio.example.com")).toBe(true);
    expect(behindProxy.hostAllowed("studio.example.com:443")).toBe(true);
    expect(behindProxy.hostAllowed("studio.example.com:80")).toBe(false);
    expect(behindProxy.hostAllowed("10.1.2.3:8080")).toBe(true);
    expect(behindProxy.hostAllowed("localhost:3000")).toBe(true);
  });

  it("accepts PUBLIC_URL's origin, and loopback origins only when it serves on loopback", () => {
    expect([...laptop.origins]).toEqual([
      "http://localhost:3000",
      "http://127.0.0.1:3000",
      "http://[::1]:3000",
    ]);
    expect(behindProxy.originAllowed("https://studio.example.com")).toBe(true);
    expect(behindProxy.originAllowed("http://10.1.2.3:8080")).toBe(false);
    const lan = studioOrigins(
      { publicUrl: "https://studio.example.com", host: "192.168.1.20", gatewayPublicUrl: null },
      3000,
    );
    expect([...lan.origins]).toEqual(["https://studio.example.com"]);
  });

  it("knows which interfaces include the loopback", () => {
    expect(["127.0.0.1", "::1", "localhost", "0.0.0.0", "::"].map(servesOnLoopback)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect(servesOnLoopback("192.168.1.20")).toBe(false);
  });
});
