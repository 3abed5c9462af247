// The scripted model provider for the benchmarks, in a process of its own: a provider is another
// machine in use, so its work (streaming thousands of chunks, keeping what it received) must not
// share the studio's event loop and heap. The parent queues replies over its control endpoint.
import { type ScriptedModelServerOptions, startScriptedModelServer } from "@studio/testkit";

process.once("message", async (options: ScriptedModelServerOptions) => {
  const server = await startScriptedModelServer({ ...options, control: true });
  // The server keeps every request for tests to inspect; nothing reads them here.
  setInterval(() => server.requests.splice(0), 200).unref();
  process.send?.({ url: server.url });
});
