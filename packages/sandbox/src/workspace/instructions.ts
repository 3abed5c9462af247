// The studio's instructions for the agent. They live in the sandbox's agent directory, outside the
// workspace (agent-dir.ts), and OpenCode reads them through the absolute `instructions` entry of
// the studio's config. A repository's own `AGENTS.md` (OpenCode's rules file, read from the project
// root with no configuration) and its `opencode.json` `instructions` still apply beside them: the
// studio writes nothing into the workspace.

import { getAgentProfile, type KnownAgent } from "@studio/models";

/**
 * The default instructions for an agent. Only an agent whose question prompts the studio carries
 * (OpenCode's `question` tool) is told to ask them; the others ask in their reply.
 */
export function defaultInstructions(agent: KnownAgent): string {
  const asking = getAgentProfile(agent).supports.questions
    ? "answers your permission requests and questions: ask when a requirement is unclear instead of guessing."
    : "answers your permission requests. When a requirement is unclear, say so in your reply and ask\nthere instead of guessing; no other way of asking reaches the person.";
  return `# Studio workspace

You are a coding agent working inside a Studio sandbox. The current directory is the project
workspace; keep your work inside it. A person follows along in the Studio and ${asking}
Prefer small, verifiable steps and run the project's tests after changes.
To leave a server running (a dev server the person should see), start it in the background with
its output in a log file outside the workspace, e.g. \`nohup npm run dev > /tmp/dev.log 2>&1 &\`,
then check that it answers; the person opens it from the Studio's Previews.
`;
}

/** OpenCode's: the studio's defaults before an agent was chosen. */
export const DEFAULT_INSTRUCTIONS = defaultInstructions("opencode");
