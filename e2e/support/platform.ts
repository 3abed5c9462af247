// What the operator does at the studio's machine: `pnpm platform-admin add <email>`, the real
// command, beside the running e2e studio (it uses the studio's embedded PostgreSQL).
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const serverDir = fileURLToPath(new URL("../../apps/server", import.meta.url));

export async function makePlatformAdmin(email: string): Promise<void> {
  const dataDir = process.env.STUDIO_E2E_DATA_DIR;
  if (!dataDir) throw new Error("STUDIO_E2E_DATA_DIR is not set: run through playwright.config.ts");
  await promisify(execFile)(
    process.execPath,
    ["--import", "tsx", "src/cli/platform-admin.ts", "add", email],
    {
      cwd: serverDir,
      env: { ...process.env, STUDIO_DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "silent" },
    },
  );
}
