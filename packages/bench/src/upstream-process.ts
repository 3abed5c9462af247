// The scripted model provider for the gateway benchmark, in a process of its own: a provider is
// another machine in use, so its work (and the memory of what it received) must not share the
// studio's event loop and heap. Answers every call with the reply the parent sends at start.
import { type ScriptedReply, startScriptedModelServer } from "@studio/testkit";

process.once("message", async (reply: ScriptedReply) => {
  const server = await startScriptedModelServer({ defaultReply: reply });
  // The server keeps every request for tests to inspect; nothing here reads them.
  setInterval(() => server.requests.splice(0), 200).unref();
  process.send?.({ url: server.url });
});
