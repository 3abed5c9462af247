import {
  createAuthSession,
  isLimitExempt,
  newKeyring,
  SessionEventBus,
  validateApiToken,
  validateSessionToken,
} from "@studio/core";
import type { Db } from "@studio/db";
import { silentLogger } from "@studio/models";
import type { Context } from "../context.ts";
import { createCaller } from "../router.ts";

export interface RecordedCookies {
  /** The last session token a procedure set, or null after it was cleared. */
  token: string | null | undefined;
}

// For tests that never subscribe to session events: nothing is ever announced.
const unannouncedBus = new SessionEventBus({
  subscribe: () => () => {},
  onReconnect: () => () => {},
  close: async () => {},
});

export const inertSessionsContext: Context["sessions"] = {
  bus: unannouncedBus,
  runtime: {
    sandboxProvider: "local",
    keyDelivery: "gateway",
    platformProviders: new Set(["xai", "custom"]),
  },
  workspaces: {
    open: () => Promise.reject(new Error("No sandboxes run in procedure tests.")),
  },
  terminals: {
    start: () => Promise.reject(new Error("No sandboxes run in procedure tests.")),
    end: () => Promise.reject(new Error("No sandboxes run in procedure tests.")),
    attach: () => Promise.reject(new Error("No sandboxes run in procedure tests.")),
    recentOutput: () => Promise.reject(new Error("No sandboxes run in procedure tests.")),
  },
  previews: {
    domain: null,
    listPorts: () => Promise.reject(new Error("No sandboxes run.")),
    target: () => Promise.reject(new Error("No sandboxes run.")),
  },
};

/** Keys sealed under a keyring made for the test run; "testing" a key succeeds when it starts with "good". */
export const testKeysContext: Context["keys"] = {
  keyring: newKeyring(),
  privateNetwork: "allow",
  probe: async (_provider, key) =>
    key.apiKey.startsWith("good")
      ? { ok: true, message: "accepted" }
      : { ok: false, status: 401, message: "HTTP 401: Invalid API key provided." },
  changed: () => {},
  endpointModels: async () => ({ ok: true, models: [] }),
};

let signUpsForTests: Context["signUps"] = "open";

/** Tests of the invitation-only policy make the callers they create use it. */
export function useSignUpPolicy(policy: Context["signUps"]) {
  signUpsForTests = policy;
}

export function testContext(db: Db, auth: Context["auth"], overrides: Partial<Context["request"]> = {}) {
  const cookies: RecordedCookies = { token: undefined };
  const context: Context = {
    db,
    auth,
    publicUrl: "http://studio.test",
    signUps: signUpsForTests,
    sessions: inertSessionsContext,
    keys: testKeysContext,
    logger: silentLogger,
    request: {
      ipAddress: "127.0.0.1",
      // As the server decides it: exempt when on loopback (no operator list in these tests).
      limitExempt: isLimitExempt(overrides.ipAddress === undefined ? "127.0.0.1" : overrides.ipAddress, null),
      userAgent: "vitest",
      sameOrigin: true,
      ...overrides,
    },
    cookies: {
      set: (token) => {
        cookies.token = token;
      },
      clear: () => {
        cookies.token = null;
      },
    },
  };
  return { context, cookies };
}

/** A caller with nobody signed in. */
export function anonymousCaller(db: Db, overrides: Partial<Context["request"]> = {}) {
  return createCaller(testContext(db, null, overrides).context);
}

/** A caller acting through a browser session cookie, exactly as the server would resolve it. */
export async function sessionCaller(db: Db, sessionToken: string) {
  const session = await validateSessionToken(db, sessionToken);
  if (!session) throw new Error("session token is not valid");
  const { context, cookies } = testContext(db, { kind: "session", session });
  return { caller: createCaller(context), cookies, session };
}

export async function tokenCaller(db: Db, apiToken: string) {
  const token = await validateApiToken(db, apiToken);
  if (!token) throw new Error("API token is not valid");
  return createCaller(testContext(db, { kind: "token", token }).context);
}

let counter = 0;

export interface TestUser {
  id: string;
  email: string;
  name: string;
  password: string;
  personalOrganizationId: string;
  sessionToken: string;
  /** Re-resolves the session on each call, so organisation switches are seen. */
  caller(): Promise<ReturnType<typeof createCaller>>;
}

/** Signs a new user up through the real procedure and returns a caller acting as them. */
export async function signUpUser(db: Db, name = "Test User"): Promise<TestUser> {
  counter += 1;
  const email = `user${counter}.${Date.now().toString(36)}@example.com`;
  const password = "correct horse battery staple";
  const { context, cookies } = testContext(db, null);
  const user = await createCaller(context).auth.signUp({ name, email, password });
  const sessionToken = cookies.token;
  if (!sessionToken) throw new Error("sign-up set no session cookie");
  const session = await validateSessionToken(db, sessionToken);
  return {
    ...user,
    password,
    personalOrganizationId: session!.activeOrganizationId!,
    sessionToken,
    caller: async () => (await sessionCaller(db, sessionToken)).caller,
  };
}

/** Opens one more browser session for an existing user (another device). */
export async function anotherSession(db: Db, userId: string, organizationId: string | null) {
  const { token } = await createAuthSession(db, userId, organizationId);
  return token;
}

/**
 * What someone who must not set prices tries: Grok 4 for free, for an organisation or (null) as
 * the list price.
 */
export function freeGrok4Price(organizationId: string | null) {
  return {
    organizationId,
    provider: "xai" as const,
    model: "grok-4",
    inputPerMTok: "0",
    outputPerMTok: "0",
    cachedInputPerMTok: "0",
  };
}
