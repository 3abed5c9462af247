import os from "node:os";
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

  it("starts one sandbox per core at once unless PROVISIONING_CONCURRENCY says otherwise", () => {
    expect(loadConfig({}).provisioningConcurrency).toBe(Math.max(1, os.availableParallelism()));
    expect(loadConfig({ PROVISIONING_CONCURRENCY: "3" }).provisioningConcurrency).toBe(3);
    expect(() => loadConfig({ PROVISIONING_CONCURRENCY: "0" })).toThrow(/PROVISIONING_CONCURRENCY/);
  });

  it("turns on secure cookies in production and normalises PUBLIC_URL to an origin", () => {
    const config = loadConfig({ NODE_ENV: "production", PUBLIC_URL: "https://studio.example.com/some/path" });
    expect(config.secureCookies).toBe(true);
    expect(config.publicUrl).toBe("https://studio.example.com");
  });

  it("makes the cookie Secure when PUBLIC_URL is https, whatever NODE_ENV says", () => {
    expect(loadConfig({ PUBLIC_URL: "https://studio.example.com" }).secureCookies).toBe(true);
    expect(
      loadConfig({ NODE_ENV: "development", PUBLIC_URL: "https://studio.example.com" }).secureCookies,
    ).toBe(true);
    // A browser would never send a Secure cookie back over plain http.
    expect(loadConfig({ NODE_ENV: "production", PUBLIC_URL: "http://10.0.0.5:3000" }).secureCookies).toBe(
      false,
    );
    expect(loadConfig({ NODE_ENV: "production" }).secureCookies).toBe(true);
    expect(
      loadConfig({ PUBLIC_URL: "https://studio.example.com", SECURE_COOKIES: "false" }).secureCookies,
    ).toBe(false);
  });

  it("reads TRUST_PROXY as off, a hop count, or proxies' addresses", () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxy).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: "10.0.0.0/8,::1" }).trustProxy).toBeInstanceOf(Object);
    expect(() => loadConfig({ TRUST_PROXY: "yes please" })).toThrow(/TRUST_PROXY/);
  });

  it("names every invalid variable", () => {
    expect(() => loadConfig({ PORT: "http", PUBLIC_URL: "not a url" })).toThrow(/PORT[\s\S]*PUBLIC_URL/);
    expect(() => loadConfig({ SIGN_UPS: "closed" })).toThrow(/SIGN_UPS/);
  });

  it("takes accounts by invitation only when SIGN_UPS says so", () => {
    expect(loadConfig({ SIGN_UPS: "invitation" }).signUps).toBe("invitation");
  });

  it("lets organisations' endpoints reach private addresses only on a studio that only its own machine reaches", () => {
    const policy = (env: NodeJS.ProcessEnv) => loadConfig(env).tenantPrivateNetwork;
    // `npm start`: loopback, so Ollama on localhost works.
    expect(policy({})).toBe("allow");
    expect(policy({ HOST: "localhost", PUBLIC_URL: "http://localhost:3000" })).toBe("allow");
    expect(policy({ HOST: "::1", PUBLIC_URL: "http://[::1]:3000" })).toBe("allow");
    expect(policy({ HOST: "127.0.0.2", PUBLIC_URL: "http://studio.localhost:3000" })).toBe("allow");
    // Reachable by others: on every interface, or behind a proxy at a public origin.
    expect(policy({ HOST: "0.0.0.0" })).toBe("deny");
    expect(policy({ HOST: "::" })).toBe("deny");
    expect(policy({ HOST: "192.168.1.20" })).toBe("deny");
    expect(policy({ PUBLIC_URL: "https://studio.example.com" })).toBe("deny");
    expect(policy({ HOST: "0.0.0.0", PUBLIC_URL: "http://localhost:3000" })).toBe("deny");
    // The operator decides either way.
    expect(policy({ HOST: "0.0.0.0", TENANT_PRIVATE_NETWORK: "allow" })).toBe("allow");
    expect(policy({ TENANT_PRIVATE_NETWORK: "deny" })).toBe("deny");
    expect(() => loadConfig({ TENANT_PRIVATE_NETWORK: "yes" })).toThrow(/TENANT_PRIVATE_NETWORK/);
  });

  it("gives previews their own origins under localhost when the studio is reached there, else path mode", () => {
    const domain = (env: NodeJS.ProcessEnv) => loadConfig(env).previewDomain;
    expect(domain({})).toBe("localhost");
    expect(domain({ PUBLIC_URL: "http://localhost:3000" })).toBe("localhost");
    expect(domain({ PUBLIC_URL: "http://127.0.0.1:3000" })).toBeNull();
    expect(domain({ PUBLIC_URL: "https://studio.example.com" })).toBeNull();
    expect(domain({ PUBLIC_URL: "https://studio.example.com", PREVIEW_DOMAIN: "Preview.Example.com" })).toBe(
      "preview.example.com",
    );
    // Empty: path mode on purpose.
    expect(domain({ PREVIEW_DOMAIN: "" })).toBeNull();
  });
});
