// The scripted model server on its own, for QA teams running the Playwright suite against a
// deployment: run it where that studio can reach it, point the studio's custom provider (or any
// provider's base URL) at it, and give the suite its address as E2E_MODEL_URL.
//
//   pnpm --filter @studio/testkit model-server --port 3218 [--host 0.0.0.0] [--key sk-…]…
import { parseArgs } from "node:util";
import { startScriptedModelServer } from "./server.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "3218" },
    host: { type: "string", default: "127.0.0.1" },
    // The API keys the studio will send (its platform key for the provider, organisations' keys).
    key: { type: "string", multiple: true, default: [] },
  },
});
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65_535) {
  console.error(`--port must be a port number, not ${values.port}`);
  process.exit(2);
}

const server = await startScriptedModelServer({
  port,
  host: values.host,
  control: true,
  ...(values.key.length ? { expectedKey: values.key } : {}),
  // A prompt nobody scripted still gets an answer, so a forgotten script fails an assertion, not a hang.
  defaultReply: [{ text: "Unscripted reply." }],
});
// The server keeps what it received for the control endpoint; a long-lived one forgets old requests.
setInterval(() => {
  if (server.requests.length > 10_000) server.requests.splice(0, server.requests.length - 5_000);
}, 10_000).unref();
console.log(`Scripted model server listening on http://${values.host}:${port} (control at /_control/)`);
for (const signal of ["SIGINT", "SIGTERM"] as const)
  process.once(signal, () => void server.close().then(() => process.exit(0)));
