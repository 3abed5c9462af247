import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.ts";

describe("configuration", () => {
  it("has working defaults for `npm start`", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      databaseUrl: null,
      secureCookies: false,
      publicUrl: null,
      signUps: "open",
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it("turns on secure cookies in production and normalises PUBLIC_URL to an origin", () => {
    const config = loadConfig({ NODE_ENV: "production", PUBLIC_URL: "https://studio.example.com/some/path" });
    expect(config.secureCookies).toBe(true);
    expect(config.publicUrl).toBe("https://studio.example.com");
  });

  it("names every invalid variable", () => {
    expect(() => loadConfig({ PORT: "http", PUBLIC_URL: "not a url" })).toThrow(/PORT[\s\S]*PUBLIC_URL/);
    expect(() => loadConfig({ SIGN_UPS: "closed" })).toThrow(/SIGN_UPS/);
  });

  it("takes accounts by invitation only when SIGN_UPS says so", () => {
    expect(loadConfig({ SIGN_UPS: "invitation" }).signUps).toBe("invitation");
  });
});
