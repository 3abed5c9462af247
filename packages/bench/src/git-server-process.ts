// The testkit's git server for the benchmarks, in a process of its own: a git host is another
// machine in use, so its work (piping packs out of git http-backend) must not share the studio's
// event loop or count in the studio's memory.
import { type GitServerOptions, startGitServer } from "@studio/testkit";

process.once("message", async (options: GitServerOptions & { repo: string }) => {
  const server = await startGitServer(options);
  // The server keeps every request for tests to inspect; nothing reads them here.
  setInterval(() => server.requests.splice(0), 200).unref();
  process.on("disconnect", () => void server.close().finally(() => process.exit(0)));
  process.send?.({
    url: server.url,
    username: server.username,
    token: server.token,
    repoUrl: server.repoUrl(options.repo),
    bareDir: server.bareDir(options.repo),
  });
});
