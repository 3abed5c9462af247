// Running the suite against a deployment (E2E_BASE_URL): before any test, the studio must answer
// its health check as a studio does, and the scripted model server (E2E_MODEL_URL) its control
// endpoint; otherwise the run stops at once with what is wrong, instead of every test timing out.
import { remoteModelServer } from "./model-server.ts";

const TIMEOUT_MS = 10_000;

async function get(url: string): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "manual" });
}

function fail(message: string): never {
  throw new Error(`\n\n  ${message}\n`);
}

export async function checkRemoteRun(): Promise<void> {
  const base = process.env.E2E_BASE_URL!.trim().replace(/\/+$/, "");
  let health: Response;
  try {
    health = await get(`${base}/api/health`);
  } catch (error) {
    fail(
      `E2E_BASE_URL=${base} cannot be reached (${(error as Error).message}). Is the studio running there?`,
    );
  }
  const body = (await health.json().catch(() => null)) as { status?: unknown; database?: unknown } | null;
  if (!body || typeof body.status !== "string" || typeof body.database !== "object")
    fail(`E2E_BASE_URL=${base} answered /api/health with HTTP ${health.status}, not as a Studio does.`);
  if (body.status !== "ok")
    fail(`The studio at ${base} is not healthy: /api/health says ${JSON.stringify(body)}.`);

  if (!remoteModelServer)
    fail(
      "E2E_MODEL_URL is not set. Against a deployment, run the scripted model server where the deployment can reach it (pnpm --filter @studio/testkit model-server --host 0.0.0.0 --port 3218) and set E2E_MODEL_URL to its address. See docs/testing.md.",
    );
  try {
    const control = await get(`${remoteModelServer}/_control/state`);
    if (!control.ok)
      fail(`E2E_MODEL_URL=${remoteModelServer} answered its control endpoint with HTTP ${control.status}.`);
  } catch (error) {
    if ((error as Error).message.includes("E2E_MODEL_URL")) throw error;
    fail(`E2E_MODEL_URL=${remoteModelServer} cannot be reached (${(error as Error).message}).`);
  }
  console.log(`Running against ${base}; specs tagged @local (they need this machine's studio) are left out.`);
}
