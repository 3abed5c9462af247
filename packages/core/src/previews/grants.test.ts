// Preview grants: hostile tokens included (tampered, widened, malformed, another studio's).
import { describe, expect, it } from "vitest";
import { newKeyring } from "../keys/keyring.ts";
import { signPreviewGrant, verifyPreviewGrant } from "./grants.ts";

const session = "abcdefghij234567abcdefgh";

describe("preview grants", () => {
  const keyring = newKeyring();
  const at = { sessionId: session, port: 3000 };
  const grant = { use: "cookie" as const, ...at, userId: "u1", expiresAt: Date.now() + 60_000 };

  it("admits only its own use, session and port, until it expires, under the studio's key", () => {
    const token = signPreviewGrant(keyring, grant);
    expect(verifyPreviewGrant(keyring, token, ["cookie"], at)).toMatchObject({ userId: "u1" });
    expect(verifyPreviewGrant(keyring, token, ["handoff"], at)).toBeNull();
    expect(verifyPreviewGrant(keyring, token, ["cookie"], { ...at, port: 3001 })).toBeNull();
    expect(verifyPreviewGrant(keyring, token, ["cookie"], { ...at, sessionId: "other" })).toBeNull();
    expect(verifyPreviewGrant(newKeyring(), token, ["cookie"], at)).toBeNull();
    expect(
      verifyPreviewGrant(
        keyring,
        signPreviewGrant(keyring, { ...grant, expiresAt: Date.now() - 1 }),
        ["cookie"],
        at,
      ),
    ).toBeNull();
  });

  it("admits a shared link's grant only for an organisation, and only as a shared link", () => {
    const shared = {
      use: "share" as const,
      ...at,
      userId: null,
      organizationId: "o1",
      expiresAt: Date.now() + 60_000,
    };
    const token = signPreviewGrant(keyring, shared);
    expect(verifyPreviewGrant(keyring, token, ["handoff", "share"], at)).toMatchObject({
      organizationId: "o1",
    });
    expect(verifyPreviewGrant(keyring, token, ["handoff"], at)).toBeNull();
    expect(verifyPreviewGrant(keyring, token, ["share"], at, shared.expiresAt + 1)).toBeNull();
    // Nobody and no organisation: not a grant this studio makes.
    const nobody = signPreviewGrant(keyring, { ...shared, organizationId: undefined as unknown as string });
    expect(verifyPreviewGrant(keyring, nobody, ["share"], at)).toBeNull();
  });

  it("refuses tampered and malformed tokens", () => {
    const [payload, signature] = signPreviewGrant(keyring, grant).split(".") as [string, string];
    const widened = Buffer.from(JSON.stringify({ ...grant, port: 3001, v: keyring.current })).toString(
      "base64url",
    );
    for (const bad of [
      `${widened}.${signature}`,
      `${payload}.`,
      `${payload}.${signature}.x`,
      payload,
      "",
      "not base64!.x",
      `${Buffer.from("null").toString("base64url")}.${signature}`,
    ])
      expect(verifyPreviewGrant(keyring, bad, ["cookie"], at), bad).toBeNull();
  });
});
