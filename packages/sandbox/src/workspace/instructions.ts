// Why AGENTS.md: it is OpenCode's own rules file, read from the project root with no configuration.
// CLAUDE.md (the seed's choice) is only read as a Claude Code compatibility fallback when no
// AGENTS.md exists, and OPENCODE_DISABLE_CLAUDE_CODE turns that off. We also list the file in
// opencode.json `instructions` to make the dependency explicit; OpenCode 1.18.33 deduplicates it
// (verified: the marker text appeared once in the system prompt). Callers whose workspace already
// has an AGENTS.md of its own can pick another name with `instructionsFile`.

export const DEFAULT_INSTRUCTIONS_FILE = "AGENTS.md";

export const DEFAULT_INSTRUCTIONS = `# Studio workspace

You are a coding agent working inside a Studio sandbox. The current directory is the project
workspace; keep your work inside it. A person follows along in the Studio and answers your
permission requests and questions: ask when a requirement is unclear instead of guessing.
Prefer small, verifiable steps and run the project's tests after changes.
`;
