// The `SessionTerminalsPort` core's terminal services and the terminal socket use, bound to this
// studio's sandbox provider: PTYs are sandbox-agent's tty processes in the session's running
// sandbox, their bytes its terminal WebSocket, reached the way the provider reaches sandbox-agent.
import type { SessionTerminalsPort } from "@studio/core";
import {
  attachTerminal,
  endTerminal,
  openTerminalSocket,
  readTerminalOutput,
  type SandboxProvider,
  startTerminal,
} from "@studio/sandbox";

export function sessionTerminals(provider: SandboxProvider): SessionTerminalsPort {
  return {
    async start(session, size) {
      const sandbox = await provider.connect(session.sandboxId);
      return startTerminal(sandbox, { cwd: sandbox.workspaceDir, ...size });
    },
    async end(session, processId) {
      const sandbox = await provider.connect(session.sandboxId);
      await endTerminal(sandbox, processId);
    },
    async attach(session, processId, events) {
      const sandbox = await provider.connect(session.sandboxId);
      const connection = attachTerminal(openTerminalSocket(sandbox, processId), events);
      return {
        input: (data) => connection.input(data),
        resize: (cols, rows) => connection.resize(cols, rows),
        close: () => connection.close(),
      };
    },
    async recentOutput(session, processId, frames) {
      const sandbox = await provider.connect(session.sandboxId);
      const chunks = await readTerminalOutput(sandbox, processId, { tail: frames });
      return chunks.map((chunk) => chunk.bytes);
    },
  };
}
