// The shell OpenCode's bash tool runs commands with (the config's `shell`). OpenCode 1.18.33 runs
// each command as `<shell> -c <command>` with its output on pipes, and ends the tool call only when
// those pipes close ('close', not 'exit': packages/opencode/src/effect/cross-spawn-spawner.ts and
// the ShellTool in packages/opencode/src/tool/shell.ts). A process the command leaves running
// (`npm run dev &`, a subshell waiting for a server) inherits the pipes, so the call stays
// "running" until OpenCode's 2-minute timeout, which then kills the command's process group: the
// server too, unless it left the group, and then, still holding the pipes, the call never ends.
//
// This shell gives the command a file instead of the pipes, unlinked at once, and streams it back
// with `tail --pid` while the command itself runs: the pipes close when the command ends, whatever
// it leaves running, which keeps writing to the unlinked file (never to OpenCode, never into a
// broken pipe). Named `bash` so OpenCode treats it as bash (its prompt, its command parser).
import { AGENT_DIR_ENV, agentDirPath } from "./agent-dir.ts";

/** The shell script's path in the agent directory. */
export const OPENCODE_SHELL_FILE = "shell/bash";

/** The config's `shell`: OpenCode substitutes the agent directory when it loads the config. */
export const OPENCODE_SHELL_SETTING = `{env:${AGENT_DIR_ENV}}/${OPENCODE_SHELL_FILE}`;

// Any other use (`bash -l`, a script path) is plain bash. fd 3 reads the file for tail, fd 4
// appends to it for the command: both are opened before the name is removed. `-s 0.1`: tail looks
// for the command's end ten times a second, then prints what is left and exits.
export const OPENCODE_SHELL_SCRIPT = `#!/bin/bash
# The studio's shell for OpenCode's bash tool: see opencode-shell.ts in the studio's sources.
# OpenCode's own JIT setting (the launcher's) is not the project's: its bun keeps Bun's defaults.
unset BUN_JSC_useFTLJIT
if [ "$#" -ne 2 ] || [ "$1" != "-c" ]; then exec /bin/bash "$@"; fi
output=$(mktemp "\${TMPDIR:-/tmp}/opencode-bash.XXXXXX") || exec /bin/bash -c "$2"
exec 3<"$output" 4>>"$output"
rm -f -- "$output"
tail -n +1 -s 0.1 --pid=$$ -f <&3 2>/dev/null &
exec /bin/bash -c "$2" 3<&- 1>&4 2>&4 4>&-
`;

export const opencodeShellFile = () => ({
  path: agentDirPath(OPENCODE_SHELL_FILE),
  content: OPENCODE_SHELL_SCRIPT,
  mode: 0o755,
});
