import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { signWebhookBody, verifyWebhookSignature } from "./signing.ts";

const SECRET = "whsec_unit_test_secret_0000000000";
const BODY = JSON.stringify({
  text: "Budget “Team” reached 80 % (€ 80 of 100)",
  studio: { kind: "budget_alert" },
});
const SENT_AT = new Date("2026-12-07T06:00:00Z");
const T = Math.floor(SENT_AT.getTime() / 1000);

describe("webhook signatures", () => {
  it("are t=<seconds>,v1=<hex HMAC-SHA256 of '<t>.<body>'>, computable by any receiver", () => {
    const header = signWebhookBody(SECRET, T, BODY);
    const expected = createHmac("sha256", SECRET).update(`${T}.${BODY}`).digest("hex");
    expect(header).toBe(`t=${T},v1=${expected}`);
  });

  it("verify with the secret and the exact body, within the tolerance either way", () => {
    const header = signWebhookBody(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY, SENT_AT, 300)).toEqual({ ok: true, timestamp: T });
    expect(verifyWebhookSignature(SECRET, header, BODY, new Date(SENT_AT.getTime() + 299_000), 300).ok).toBe(
      true,
    );
    expect(verifyWebhookSignature(SECRET, header, BODY, new Date(SENT_AT.getTime() - 60_000), 300).ok).toBe(
      true,
    );
  });

  it("refuse a tampered body, even by one byte or by re-serialising the same JSON", () => {
    const header = signWebhookBody(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY.replace("80 %", "90 %"), SENT_AT)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    expect(verifyWebhookSignature(SECRET, header, `${BODY} `, SENT_AT).ok).toBe(false);
    expect(
      verifyWebhookSignature(SECRET, header, JSON.stringify(JSON.parse(BODY), null, 2), SENT_AT).ok,
    ).toBe(false);
  });

  it("refuse another secret, and a timestamp moved without re-signing", () => {
    const header = signWebhookBody(SECRET, T, BODY);
    expect(verifyWebhookSignature(`${SECRET}x`, header, BODY, SENT_AT)).toEqual({
      ok: false,
      reason: "mismatch",
    });
    const moved = header.replace(`t=${T}`, `t=${T + 1}`);
    expect(verifyWebhookSignature(SECRET, moved, BODY, SENT_AT)).toEqual({ ok: false, reason: "mismatch" });
  });

  it("refuse a stale or future timestamp, even with a valid signature (replays)", () => {
    const header = signWebhookBody(SECRET, T, BODY);
    expect(verifyWebhookSignature(SECRET, header, BODY, new Date(SENT_AT.getTime() + 301_000), 300)).toEqual({
      ok: false,
      reason: "stale",
    });
    expect(verifyWebhookSignature(SECRET, header, BODY, new Date(SENT_AT.getTime() - 301_000), 300).ok).toBe(
      false,
    );
    expect(verifyWebhookSignature(SECRET, header, BODY, new Date(SENT_AT.getTime() + 3_600_000)).ok).toBe(
      false,
    );
  });

  it("refuse missing and malformed headers without throwing", () => {
    const v1 = signWebhookBody(SECRET, T, BODY).split(",")[1];
    for (const header of [
      undefined,
      null,
      "",
      "garbage",
      `t=${T}`,
      v1,
      `t=abc,${v1}`,
      `t=${T},v1=zz`,
      `t=${T},v1=${"0".repeat(63)}`,
      `t=${T},${v1}`.repeat(100),
    ]) {
      expect(verifyWebhookSignature(SECRET, header, BODY, SENT_AT), String(header)).toMatchObject({
        ok: false,
      });
    }
  });

  it("accept any one matching v1 among several (a receiver switching secrets)", () => {
    const good = signWebhookBody(SECRET, T, BODY).split(",")[1];
    const other = signWebhookBody("whsec_old", T, BODY).split(",")[1];
    expect(verifyWebhookSignature(SECRET, `t=${T},${other},${good}`, BODY, SENT_AT).ok).toBe(true);
    expect(verifyWebhookSignature(SECRET, `t=${T},${other}`, BODY, SENT_AT).ok).toBe(false);
  });
});
