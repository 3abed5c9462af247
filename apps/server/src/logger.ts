import { pino } from "pino";

// Anything that may carry a secret is censored wherever it appears in a log record.
const SECRET_PATHS = [
  "password",
  "*.password",
  "*.currentPassword",
  "*.newPassword",
  "token",
  "*.token",
  "apiKey",
  "*.apiKey",
  "key",
  "*.key",
  "authorization",
  "*.authorization",
  "*.headers.authorization",
  "*.headers.cookie",
  "cookie",
  "*.cookie",
  'headers["set-cookie"]',
  "*.secret",
];

export function createLogger(level: string, destination?: NodeJS.WritableStream) {
  return pino(
    { level, redact: { paths: SECRET_PATHS, censor: "[redacted]" }, base: { service: "studio" } },
    destination as pino.DestinationStream | undefined,
  );
}

export type AppLogger = ReturnType<typeof createLogger>;
