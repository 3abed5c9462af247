// The one logging surface every package takes. Its call order is pino's, (fields, message), so the
// server hands its pino logger (or a child of it) straight to any package; tests pass `silentLogger`.
export interface Logger {
  debug(details: object, message: string): void;
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

const noop = () => {};

/** Drops every record: for tests, and wherever nobody is listening. */
export const silentLogger: Logger = { debug: noop, info: noop, warn: noop, error: noop };
