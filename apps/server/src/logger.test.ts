import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, scrubLogLine } from "./logger.ts";

function capture(level = "trace") {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger(level, sink), text: () => lines.join("") };
}

describe("log redaction", () => {
  it("censors provider key headers, at the top and nested at any depth", () => {
    const { logger, text } = capture();
    logger.info(
      {
        headers: {
          "x-api-key": "sk-ant-top",
          "x-goog-api-key": "AIza-top",
          "content-type": "application/json",
        },
        upstream: { request: { headers: { "x-api-key": "sk-ant-deep", Authorization: "Bearer sk-deep" } } },
        err: {
          response: {
            headers: { "set-cookie": ["a=secret-cookie", "b=other"], "X-Goog-Api-Key": "AIza-deep" },
          },
        },
      },
      "upstream call",
    );
    const log = text();
    for (const secret of ["sk-ant-top", "AIza-top", "sk-ant-deep", "sk-deep", "secret-cookie", "AIza-deep"]) {
      expect(log).not.toContain(secret);
    }
    expect(log).toContain('"content-type":"application/json"');
  });

  it("censors key= in URLs inside error messages and stacks, raw or percent-encoded", () => {
    const { logger, text } = capture();
    const error = new Error(
      "fetch failed: https://generativelanguage.googleapis.com/v1beta/models/x:generateContent?alt=sse&key=AIzaSECRET1",
    );
    logger.error({ err: error }, "upstream failed");
    logger.warn(
      `retrying https://example.test/a?key=AIzaSECRET2 and /next?u=%2Fx%3Fkey%3DAIzaSECRET3%26n%3D1`,
    );
    logger.warn("upstream https://example.test/b?alt=sse&key=AIza%2BSECRET4&n=1");
    const log = text();
    for (const secret of ["AIzaSECRET1", "AIzaSECRET2", "AIzaSECRET3", "SECRET4"])
      expect(log).not.toContain(secret);
    expect(log).toContain("%26n%3D1");
    expect(log).toContain("&n=1");
    expect(log).toContain("alt=sse&key=[redacted]");
  });

  it("censors invitation tokens in paths at every level, debug to fatal", () => {
    const { logger, text } = capture();
    const token = "inv_3Jk9sLmNoPqRsTuV";
    logger.debug({ path: `/invite/${token}` }, "request");
    logger.info({ path: `/invite/${token}` }, "request");
    logger.error(`could not serve /invite/${token}`);
    logger.fatal({ url: `/sign-in?next=%2Finvite%2F${token}` }, "request");
    const log = text();
    expect(log).not.toContain(token);
    expect(log.match(/\/invite\/\[redacted\]/g)).toHaveLength(3);
    expect(log).toContain("%2Finvite%2F[redacted]");
  });

  it("keeps what is not a secret", () => {
    expect(scrubLogLine('{"path":"/api/trpc/auth.me","inputTokens":12,"monkey":"banana"}')).toBe(
      '{"path":"/api/trpc/auth.me","inputTokens":12,"monkey":"banana"}',
    );
  });
});
