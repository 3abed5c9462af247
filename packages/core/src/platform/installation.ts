// This studio's identity: one id, made on first use and kept with its data, so several studios that
// share an outside account (one E2B team) each touch only what they made themselves.
import type { DbTx } from "@studio/db";
import { newId } from "../shared/ids.ts";

/**
 * The installation's id, created on first call. Replicas starting together may all insert: the
 * single slot lets exactly one row in and every caller then reads that one.
 */
export async function installationId(db: DbTx): Promise<string> {
  await db.$executeRaw`
    INSERT INTO studio_installation (slot, id) VALUES (1, ${newId()})
    ON CONFLICT DO NOTHING`;
  const row = await db.studioInstallation.findUniqueOrThrow({ where: { slot: 1 }, select: { id: true } });
  return row.id;
}
