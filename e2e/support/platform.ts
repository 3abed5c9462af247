// What the operator does at the studio's machine (`pnpm platform-admin add <email>`), done straight
// in the e2e server's database: that command needs the embedded PostgreSQL to itself.
import { setPlatformAdmin } from "../../packages/core/src/platform/admins.ts";
import { withDb } from "./session-log.ts";

export async function makePlatformAdmin(email: string): Promise<void> {
  await withDb((db) => setPlatformAdmin(db, email, true));
}
