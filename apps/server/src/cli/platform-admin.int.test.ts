// `pnpm platform-admin` as an operator runs it: a real process against the studio's database.
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { signUp } from "@studio/core";
import { createDb } from "@studio/db";
import { startEmbeddedPostgres } from "@studio/db/postgres";
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { useDataDirs } from "../testing/data-dirs.ts";

const newDataDir = useDataDirs();
const database = useTestDatabase();
const script = fileURLToPath(new URL("./platform-admin.ts", import.meta.url));
// As `pnpm platform-admin` runs it: from the server's package, where tsx is installed.
const serverPackage = fileURLToPath(new URL("../..", import.meta.url));

async function platformAdminIn(env: Record<string, string>, ...args: string[]) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: serverPackage,
      env: { ...process.env, LOG_LEVEL: "silent", ...env },
    });
    return { code: 0, out: stdout.trim() };
  } catch (error) {
    const failed = error as { code: number; stderr: string };
    return { code: failed.code, out: failed.stderr.trim() };
  }
}

const platformAdmin = (...args: string[]) => platformAdminIn({ DATABASE_URL: database.url }, ...args);

const adminFlag = async (email: string) =>
  (await database.db.user.findUniqueOrThrow({ where: { email } })).platformAdmin;

describe("pnpm platform-admin", { timeout: 60_000 }, () => {
  it("names and removes platform admins by email, and lists them", async () => {
    const first = "founder@example.com";
    const second = "colleague@example.com";
    await signUp(database.db, { name: "Founder", email: first, password: "correct horse battery" });
    await signUp(database.db, { name: "Colleague", email: second, password: "correct horse battery" });
    expect([await adminFlag(first), await adminFlag(second)]).toEqual([true, false]);

    expect(await platformAdmin("add", "Colleague@Example.com")).toEqual({
      code: 0,
      out: "Colleague <colleague@example.com> is a platform admin. The studio has 2 platform admins.",
    });
    expect(await adminFlag(second)).toBe(true);
    expect((await platformAdmin("add", second)).out).toMatch(/was already a platform admin/);
    expect(await platformAdmin("list")).toEqual({
      code: 0,
      out: `${first}\tFounder\n${second}\tColleague`,
    });

    expect((await platformAdmin("remove", first)).out).toBe(
      "Founder <founder@example.com> is no longer a platform admin. The studio has 1 platform admin.",
    );
    expect((await platformAdmin("remove", second)).out).toMatch(
      /no longer a platform admin\. There are no platform admins now/,
    );
    expect([await adminFlag(first), await adminFlag(second)]).toEqual([false, false]);
    expect((await platformAdmin("list")).out).toMatch(/^No platform admins/);
  });

  it("refuses an unknown account and a malformed command, changing nothing", async () => {
    expect(await platformAdmin("add", "nobody@example.com")).toEqual({
      code: 1,
      out: "No account has the email nobody@example.com.",
    });
    expect(await platformAdmin("promote", "founder@example.com")).toMatchObject({ code: 2, out: /^usage:/ });
    expect(await platformAdmin("add")).toMatchObject({ code: 2, out: /^usage:/ });
    expect(await database.db.user.count({ where: { platformAdmin: true } })).toBe(0);
  });

  it("works beside a running studio, through its embedded PostgreSQL, and leaves it running", async () => {
    // What `npm start` runs: a persistent cluster in the studio's data directory.
    const dataDir = newDataDir("studio-cli-");
    const running = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "postgres") });
    const beside = { DATABASE_URL: "", STUDIO_DATA_DIR: dataDir };
    try {
      // The first command also applies the migrations, as the studio had at its start.
      expect(await platformAdminIn(beside, "list")).toMatchObject({ code: 0, out: /^No platform admins/ });
      const db = createDb(running.url);
      try {
        const email = "operator@example.com";
        await signUp(db, { name: "Operator", email, password: "correct horse battery" });
        await db.user.update({ where: { email }, data: { platformAdmin: false } });
        expect(await platformAdminIn(beside, "add", email)).toMatchObject({
          code: 0,
          out: /is a platform admin/,
        });
        // Still the studio's cluster, still serving it.
        expect((await db.user.findUniqueOrThrow({ where: { email } })).platformAdmin).toBe(true);
      } finally {
        await db.$disconnect();
      }
    } finally {
      await running.stop();
    }
  });
});
