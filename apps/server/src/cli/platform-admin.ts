// `pnpm platform-admin add|remove <email>`, `pnpm platform-admin list`: who runs the studio (grants
// platform credits, sets prices, sees every organisation). The first account of a studio is one;
// this is how the operator, at the studio's machine, names others. Nothing in the API can do it,
// so no account can raise itself.
//
// Beside a running studio on the embedded database, it uses that studio's PostgreSQL.
import { AppError, setPlatformAdmin } from "@studio/core";
import { loadConfig } from "../config.ts";
import { withStudioDatabase } from "./studio-database.ts";

const USAGE = "usage: pnpm platform-admin add <email> | remove <email> | list";
const [command, email, ...rest] = process.argv.slice(2);

if (
  !(command === "list" && email === undefined) &&
  !((command === "add" || command === "remove") && email && rest.length === 0)
) {
  console.error(USAGE);
  process.exit(2);
}

try {
  const message = await withStudioDatabase(loadConfig(), async (db) => {
    if (command === "list") {
      const admins = await db.user.findMany({
        where: { platformAdmin: true },
        orderBy: { createdAt: "asc" },
        select: { name: true, email: true },
      });
      if (admins.length === 0) return "No platform admins: nobody can grant credits or set prices.";
      return admins.map((admin) => `${admin.email}\t${admin.name}`).join("\n");
    }
    const result = await setPlatformAdmin(db, email!, command === "add");
    const who = `${result.name} <${result.email}>`;
    const now = command === "add" ? "is a platform admin" : "is no longer a platform admin";
    const was = command === "add" ? "was already a platform admin" : "was not a platform admin";
    const count =
      result.platformAdmins === 0
        ? " There are no platform admins now: nobody can grant credits or set prices."
        : ` The studio has ${result.platformAdmins} platform admin${result.platformAdmins === 1 ? "" : "s"}.`;
    return `${who} ${result.changed ? now : was}.${count}`;
  });
  console.log(message);
} catch (error) {
  if (error instanceof AppError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}
