// Making someone a platform admin, or no longer one: an operator's act, from the studio's machine
// (`pnpm platform-admin`), never through the API, so no account can raise itself.
import type { DbTx } from "@studio/db";
import { AppError } from "../shared/errors.ts";

export async function setPlatformAdmin(
  db: DbTx,
  email: string,
  platformAdmin: boolean,
): Promise<{ name: string; email: string; changed: boolean; platformAdmins: number }> {
  const user = await db.user.findUnique({
    where: { email: email.trim().toLowerCase() },
    select: { id: true, name: true, email: true, platformAdmin: true },
  });
  if (!user) throw new AppError("NOT_FOUND", `No account has the email ${email}.`);
  if (user.platformAdmin !== platformAdmin)
    await db.user.update({ where: { id: user.id }, data: { platformAdmin } });
  const platformAdmins = await db.user.count({ where: { platformAdmin: true } });
  return {
    name: user.name,
    email: user.email,
    changed: user.platformAdmin !== platformAdmin,
    platformAdmins,
  };
}
