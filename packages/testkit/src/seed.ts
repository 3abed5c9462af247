// Rows tests need before the code under test can run: a person, an organisation and a session.
import { randomUUID } from "node:crypto";
import type { Db, Prisma } from "@studio/db";

const uniqueId = () => randomUUID().replaceAll("-", "");

export interface SeededSession {
  userId: string;
  organizationId: string;
  sessionId: string;
}

/**
 * A session row (no sandbox, no runner) of a user in an organisation: by default a new user with an
 * organisation of their own, or the `owner` given (a user already in that organisation). The
 * session calls the custom provider on platform credits unless `session` says otherwise.
 */
export async function seedSessionRow(
  db: Db,
  session: Partial<Prisma.StudioSessionUncheckedCreateInput> = {},
  { owner }: { owner?: { userId: string; organizationId: string } } = {},
): Promise<SeededSession> {
  const { userId, organizationId } = owner ?? (await seedUserWithOrganization(db));
  const row = await db.studioSession.create({
    data: {
      id: uniqueId(),
      organizationId,
      userId,
      environment: "development",
      provider: "custom",
      model: "m",
      keySource: "platform",
      upstreamProvider: "custom",
      upstreamModel: "m",
      sandboxProvider: "local",
      idleTimeoutSeconds: 60,
      ...session,
    },
  });
  return { userId, organizationId, sessionId: row.id };
}

async function seedUserWithOrganization(db: Db): Promise<{ userId: string; organizationId: string }> {
  const userId = uniqueId();
  const organizationId = uniqueId();
  await db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "Seeded", passwordHash: "x" },
  });
  await db.organization.create({ data: { id: organizationId, name: "Seeded", slug: organizationId } });
  return { userId, organizationId };
}
