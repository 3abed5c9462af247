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
 * A user, an organisation of their own and a session row in it (no sandbox, no runner). The session
 * calls the custom provider on platform credits unless `session` says otherwise.
 */
export async function seedSessionRow(
  db: Db,
  session: Partial<Prisma.StudioSessionUncheckedCreateInput> = {},
): Promise<SeededSession> {
  const userId = uniqueId();
  const organizationId = uniqueId();
  await db.user.create({
    data: { id: userId, email: `${userId}@example.com`, name: "Seeded", passwordHash: "x" },
  });
  await db.organization.create({ data: { id: organizationId, name: "Seeded", slug: organizationId } });
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
