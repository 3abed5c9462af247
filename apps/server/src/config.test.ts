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

  it("caps live sessions by default and reads the caps, or none, from the environment", () => {
    expect(loadConfig({}).limits.liveSessions).toEqual({ studio: 200, perOrganization: 50, perMember: 10 });
    const set = loadConfig({
      MAX_LIVE_SESSIONS: "1000",
      MAX_LIVE_SESSIONS_PER_ORGANIZATION: " none ",
      MAX_LIVE_SESSIONS_PER_MEMBER: "3",
    });
    expect(set.limits.liveSessions).toEqual({ studio: 1000, perOrganization: null, perMember: 3 });
    for (const bad of ["0", "-1", "2.5", "ten", "1e3"])
      expect(() => loadConfig({ MAX_LIVE_SESSIONS_PER_MEMBER: bad })).toThrow(/MAX_LIVE_SESSIONS_PER_MEMBER/);
  });

  it("leaves model calls unlimited unless MODEL_CALLS_PER_MINUTE_* set studio defaults", () => {
    expect(loadConfig({}).limits.modelCallsPerMinute).toEqual({
      organizationPerMinute: null,
      memberPerMinute: null,
    });
    const set = loadConfig({
      MODEL_CALLS_PER_MINUTE_PER_ORGANIZATION: "600",
      MODEL_CALLS_PER_MINUTE_PER_MEMBER: "120",
    });
    expect(set.limits.modelCallsPerMinute).toEqual({ organizationPerMinute: 600, memberPerMinute: 120 });
    expect(() => loadConfig({ MODEL_CALLS_PER_MINUTE_PER_ORGANIZATION: "0" })).toThrow(
      /MODEL_CALLS_PER_MINUTE_PER_ORGANIZATION/,
    );
  });

  it("limits API requests per client address to 600 a minute unless told otherwise", () => {
    expect(loadConfig({}).limits.apiRequestsPerMinutePerAddress).toBe(600);
    expect(
      loadConfig({ API_REQUESTS_PER_MINUTE_PER_ADDRESS: "50" }).limits.apiRequestsPerMinutePerAddress,
    ).toBe(50);
    expect(
      loadConfig({ API_REQUESTS_PER_MINUTE_PER_ADDRESS: "none" }).limits.apiRequestsPerMinutePerAddress,
    ).toBeNull();
    expect(() => loadConfig({ API_REQUESTS_PER_MINUTE_PER_ADDRESS: "lots" })).toThrow(
      /API_REQUESTS_PER_MINUTE_PER_ADDRESS/,
    );
  });

  it("reads the addresses exempt from per-address limits, refusing what is no address or range", () => {
    const exempt = loadConfig({ LIMITS_EXEMPT_ADDRESSES: "192.0.2.0/24, 2001:db8::1" }).limits
      .exemptAddresses;
    expect(exempt?.check("192.0.2.200", "ipv4")).toBe(true);
    expect(exempt?.check("2001:db8::1", "ipv6")).toBe(true);
    expect(exempt?.check("192.0.3.1", "ipv4")).toBe(false);
    expect(loadConfig({}).limits.exemptAddresses).toBeNull();
    expect(() => loadConfig({ LIMITS_EXEMPT_ADDRESSES: "192.0.2.0/40" })).toThrow(/LIMITS_EXEMPT_ADDRESSES/);
  });

  describe("E2B", () => {
    const ready = {
      SANDBOX_PROVIDER: "e2b",
      E2B_API_KEY: "e2b_key",
      E2B_TEMPLATE: "studio-opencode",
      GATEWAY_PUBLIC_URL: "https://studio.example.com",
    };

    it("starts with a key, a template and an https address sandboxes reach the studio at", () => {
      expect(loadConfig(ready)).toMatchObject({
        sandboxProvider: "e2b",
        e2b: { apiKey: "e2b_key", template: "studio-opencode" },
        gatewayPublicUrl: "https://studio.example.com",
      });
    });

    it("refuses the base template unless E2B_ALLOW_BASE_TEMPLATE opts in", () => {
      const { E2B_TEMPLATE: _, ...noTemplate } = ready;
      expect(() => loadConfig(noTemplate)).toThrow(
        /E2B_TEMPLATE: .*pnpm e2b:template.*E2B_ALLOW_BASE_TEMPLATE=true/,
      );
      expect(loadConfig({ ...noTemplate, E2B_ALLOW_BASE_TEMPLATE: "true" }).e2b.template).toBeNull();
      expect(() => loadConfig({ ...noTemplate, E2B_ALLOW_BASE_TEMPLATE: "maybe" })).toThrow(
        /E2B_ALLOW_BASE_TEMPLATE/,
      );
    });

    it("needs GATEWAY_PUBLIC_URL in gateway mode, over https unless E2B_ALLOW_HTTP_GATEWAY, never loopback", () => {
      const { GATEWAY_PUBLIC_URL: _, ...noGateway } = ready;
      expect(() => loadConfig(noGateway)).toThrow(/GATEWAY_PUBLIC_URL: SANDBOX_PROVIDER=e2b needs/);
      expect(loadConfig({ ...noGateway, KEY_DELIVERY: "environment" }).gatewayPublicUrl).toBeNull();
      const plain = { ...ready, GATEWAY_PUBLIC_URL: "http://studio.example.com" };
      expect(() => loadConfig(plain)).toThrow(
        /GATEWAY_PUBLIC_URL: .*must be https.*E2B_ALLOW_HTTP_GATEWAY=true/,
      );
      expect(loadConfig({ ...plain, E2B_ALLOW_HTTP_GATEWAY: "true" }).gatewayPublicUrl).toBe(
        "http://studio.example.com",
      );
      expect(() =>
        loadConfig({ ...ready, GATEWAY_PUBLIC_URL: "http://127.0.0.1:3000", E2B_ALLOW_HTTP_GATEWAY: "true" }),
      ).toThrow(/loopback/);
      // The local provider is not held to any of it.
      expect(loadConfig({ GATEWAY_PUBLIC_URL: "http://10.0.0.5:3000" }).sandboxProvider).toBe("local");
    });

    it("needs the API key, and names every problem at once", () => {
      expect(() => loadConfig({ SANDBOX_PROVIDER: "e2b" })).toThrow(
        /E2B_API_KEY: [\s\S]*E2B_TEMPLATE: [\s\S]*GATEWAY_PUBLIC_URL: /,
      );
    });
  });
});
