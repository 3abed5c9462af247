import { pino } from "pino";

// Anything that may carry a secret is censored wherever it appears in a log record, in two layers:
// pino's own paths below for the fields we log on purpose, then `scrubLogLine` over every finished
// line, whatever its level, for what those paths cannot know in advance: headers nested at any depth
// (an upstream's error carrying its request), URLs with `key=` in error messages (Google's API key
// travels in the query string), invitation tokens in paths.
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
  '*.headers["x-api-key"]',
  '*.headers["x-goog-api-key"]',
  "cookie",
  "*.cookie",
  'headers["set-cookie"]',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  "*.secret",
];

const CENSOR = "[redacted]";

/** Header and field names whose value is a secret, at any depth of a record. */
const SECRET_FIELDS = [
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "x-goog-api-key",
  "api-key",
  "openai-api-key",
  "password",
  "token",
  "apikey",
  "api_key",
  "secret",
];

// A JSON string, or an array of strings (Set-Cookie), as the value of one of those fields.
const SECRET_FIELD = new RegExp(
  `"(${SECRET_FIELDS.join("|")})":(?:"(?:[^"\\\\]|\\\\.)*"|\\[(?:"(?:[^"\\\\]|\\\\.)*",?)*\\])`,
  "gi",
);
// `?key=…` and its kin in any URL, raw or percent-encoded inside another one.
const SECRET_QUERY =
  /((?:[?&;]|%3F|%26)(?:key|api[_-]?key|token|access_token|auth|sig|signature)(?:=|%3D))(?:[^&#\s"\\%]|%(?!26|23)[0-9a-f]{2})+/gi;
// An invitation link's token: /invite/<token>, also percent-encoded (`?next=%2Finvite%2F…`).
const INVITATION_PATH = /((?:\/|%2F)invite(?:\/|%2F))[^/?#&\s"\\%]+/gi;
// Bearer credentials quoted in a message.
const BEARER = /\b(Bearer\s+)[\w.~+/=-]+/g;

/** Censors secrets in one finished log line (JSON). Pure, linear in the line's length. */
export function scrubLogLine(line: string): string {
  return line
    .replace(SECRET_FIELD, (_match, name: string) => `"${name}":"${CENSOR}"`)
    .replace(SECRET_QUERY, `$1${CENSOR}`)
    .replace(INVITATION_PATH, `$1${CENSOR}`)
    .replace(BEARER, `$1${CENSOR}`);
}

export function createLogger(level: string, destination?: NodeJS.WritableStream) {
  return pino(
    {
      level,
      redact: { paths: SECRET_PATHS, censor: CENSOR },
      base: { service: "studio" },
      hooks: { streamWrite: scrubLogLine },
    },
    destination as pino.DestinationStream | undefined,
  );
}

export type AppLogger = ReturnType<typeof createLogger>;
