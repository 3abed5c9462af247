// Concurrent live-session caps, through createSession itself on real PostgreSQL: each cap refuses
// with its reason and the count, sessions that are over do not count, and racing creations never
// get past a cap together.
import { seedSessionRow } from "@studio/testkit";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { newKeyring } from "../keys/keyring.ts";
import { createOrganization } from "../orgs/organizations.ts";
import { createSession, type SessionActor } from "../sessions/sessions.ts";
import { AppError } from "../shared/errors.ts";
import { newId } from "../shared/ids.ts";
import type { StudioSessionCaps } from "./session-caps.ts";

const database = useTestDatabase();
const sources = { keyring: newKeyring(), rules: { privateNetwork: "allow" as const } };
const NO_CAPS: StudioSessionCaps = { studio: null, perOrganization: null, perMember: null };

async function newMember(organizationId?: string): Promise<SessionActor> {
  const userId = newId();
  await database.db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "Capped", passwordHash: "x" },
  });
  if (!organizationId) {
    const organization = await createOrganization(database.db, userId, "Capped");
    return { userId, organizationId: organization.id };
  }
  await database.db.membership.create({ data: { id: newId(), organizationId, userId, role: "member" } });
  return { userId, organizationId };
}

function start(actor: SessionActor, caps: StudioSessionCaps | undefined) {
  return createSession(
    database.db,
    actor,
    {
      environment: "development",
      agent: "opencode",
      provider: "custom",
      model: "m",
      source: { kind: "empty" },
    },
    {
      sandboxProvider: "local",
      keyDelivery: "gateway",
      platformProviders: new Set(["custom"]),
      sessionCaps: caps,
    },
    sources,
  );
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("CONFLICT");
  return error as AppError;
}

const liveCount = (where: { organizationId?: string; userId?: string }) =>
  database.db.studioSession.count({
    where: { ...where, status: { in: ["provisioning", "ready", "active", "idle"] } },
  });

describe("live-session caps", () => {
  it("refuse a member past the studio's per-member default, with the count; other members go on", async () => {
    const alice = await newMember();
    const bob = await newMember(alice.organizationId);
    const caps = { ...NO_CAPS, perMember: 2 };
    await start(alice, caps);
    await start(alice, caps);
    const refused = await refusal(start(alice, caps));
    expect(refused.message).toBe(
      "You have 2 live sessions in this organisation, the limit for each member. Stop one to start another.",
    );
    await start(bob, caps);
    expect(await liveCount({ userId: alice.userId })).toBe(2);
    expect(await liveCount({ userId: bob.userId })).toBe(1);
  });

  it("let an organisation's own per-member cap replace the studio's default", async () => {
    const carol = await newMember();
    await database.db.organization.update({
      where: { id: carol.organizationId },
      data: { maxLiveSessionsPerMember: 1 },
    });
    await start(carol, { ...NO_CAPS, perMember: 10 });
    const refused = await refusal(start(carol, { ...NO_CAPS, perMember: 10 }));
    expect(refused.message).toMatch(/^You have 1 live session in this organisation/);
    // With no studio caps at all, the organisation's own still apply.
    await refusal(start(carol, undefined));
  });

  it("never let an organisation's own caps exceed the studio's defaults", async () => {
    const erin = await newMember();
    await database.db.organization.update({
      where: { id: erin.organizationId },
      data: { maxLiveSessions: 1000, maxLiveSessionsPerMember: 1000 },
    });
    await start(erin, { ...NO_CAPS, perMember: 1, perOrganization: 5 });
    await refusal(start(erin, { ...NO_CAPS, perMember: 1, perOrganization: 5 }));
    const colleague = await newMember(erin.organizationId);
    await start(colleague, { ...NO_CAPS, perOrganization: 2 });
    expect((await refusal(start(colleague, { ...NO_CAPS, perOrganization: 2 }))).message).toMatch(
      /^This organisation has 2 live sessions, its limit/,
    );
  });

  it("refuse an organisation past its cap, saying how many it has, and leave other organisations alone", async () => {
    const owner = await newMember();
    const member = await newMember(owner.organizationId);
    await database.db.organization.update({
      where: { id: owner.organizationId },
      data: { maxLiveSessions: 3 },
    });
    const caps = { ...NO_CAPS, perOrganization: 100 };
    await start(owner, caps);
    await start(member, caps);
    await start(member, caps);
    const refused = await refusal(start(owner, caps));
    expect(refused.message).toBe(
      "This organisation has 3 live sessions, its limit. Stop one to start another.",
    );

    // Another organisation has the studio's default (here 1), counted on its own.
    const stranger = await newMember();
    await start(stranger, { ...NO_CAPS, perOrganization: 1 });
    await refusal(start(stranger, { ...NO_CAPS, perOrganization: 1 }));
    expect(await liveCount({ organizationId: owner.organizationId })).toBe(3);
  });

  it("do not count sessions that have stopped or failed", async () => {
    const dave = await newMember();
    await seedSessionRow(database.db, { status: "stopped" }, { owner: dave });
    await seedSessionRow(database.db, { status: "error" }, { owner: dave });
    const first = await start(dave, { ...NO_CAPS, perMember: 1 });
    await refusal(start(dave, { ...NO_CAPS, perMember: 1 }));
    await database.db.studioSession.update({ where: { id: first.id }, data: { status: "stopped" } });
    await start(dave, { ...NO_CAPS, perMember: 1 });
    // Every live status counts, not only a fresh session's `provisioning`.
    for (const status of ["ready", "active", "idle"] as const) {
      const other = await newMember();
      await seedSessionRow(database.db, { status }, { owner: other });
      await refusal(start(other, { ...NO_CAPS, perMember: 1 }));
    }
  });

  it("refuse any organisation once the studio as a whole is at its cap", async () => {
    const live = await liveCount({});
    const caps = { ...NO_CAPS, studio: live + 1 };
    await start(await newMember(), caps);
    const refused = await refusal(start(await newMember(), caps));
    expect(refused.message).toBe(
      `The studio is running ${live + 1} live sessions, as many as it allows at once. Try again when some have stopped.`,
    );
  });

  it("let exactly as many of 10 racing creations through as the cap allows", async () => {
    const owner = await newMember();
    const members = await Promise.all(Array.from({ length: 4 }, () => newMember(owner.organizationId)));
    const caps = { ...NO_CAPS, perOrganization: 3 };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, index) => start(members[index % members.length]!, caps)),
    );
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
    for (const outcome of outcomes)
      if (outcome.status === "rejected") expect((outcome.reason as AppError).code).toBe("CONFLICT");
    expect(await liveCount({ organizationId: owner.organizationId })).toBe(3);

    // The per-member cap holds under a race too, and so does the studio's.
    const racer = await newMember();
    const memberRace = await Promise.allSettled(
      Array.from({ length: 10 }, () => start(racer, { ...NO_CAPS, perMember: 3 })),
    );
    expect(memberRace.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
    const live = await liveCount({});
    const strangers = await Promise.all(Array.from({ length: 10 }, () => newMember()));
    const studioRace = await Promise.allSettled(
      strangers.map((stranger) => start(stranger, { ...NO_CAPS, studio: live + 3 })),
    );
    expect(studioRace.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(3);
    expect(await liveCount({})).toBe(live + 3);
  });
});
