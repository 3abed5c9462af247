// The logging surface the client needs: pino's (object, message) call shape, so the server can
// pass its pino child logger straight in. Defaults to silence.
export interface AcpLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

const noop = () => {};
export const silentLogger: AcpLogger = { debug: noop, info: noop, warn: noop, error: noop };
