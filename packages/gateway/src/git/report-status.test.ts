import { describe, expect, it } from "vitest";
import { pktLine, reportFatal, reportRefusal } from "./report-status.ts";

const refs = [
  { ref: "refs/heads/main", reason: "only branches under studio/ may be pushed" },
  { ref: "refs/tags/v1", reason: "pushing tags\nis not allowed" },
];

/** Splits pkt-lines: data packets as buffers, flushes as null. */
function packets(body: Buffer): Array<Buffer | null> {
  const out: Array<Buffer | null> = [];
  let at = 0;
  while (at < body.length) {
    const length = Number.parseInt(body.subarray(at, at + 4).toString(), 16);
    out.push(length === 0 ? null : body.subarray(at + 4, at + length));
    at += length === 0 ? 4 : length;
  }
  expect(at).toBe(body.length);
  return out;
}

describe("pktLine", () => {
  it("counts its own four bytes", () => {
    expect(pktLine("a\n").toString()).toBe("0006a\n");
    expect(pktLine("").toString()).toBe("0004");
    expect(pktLine("foobar\n").toString()).toBe("000bfoobar\n");
    expect(() => pktLine(Buffer.alloc(65517))).toThrow();
    expect(pktLine(Buffer.alloc(65516)).subarray(0, 4).toString()).toBe("fff0");
  });
});

describe("reportRefusal", () => {
  it("writes plain report-status without side-band", () => {
    const response = reportRefusal(["report-status"], refs, "ignored without side-band");
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/x-git-receive-pack-result");
    expect(response.body.toString()).toBe(
      "000eunpack ok\n" +
        "0041ng refs/heads/main only branches under studio/ may be pushed\n" +
        "0030ng refs/tags/v1 pushing tags is not allowed\n" +
        "0000",
    );
  });

  it("wraps the report in band 1 after a band-2 message, then a flush", () => {
    const response = reportRefusal(
      ["report-status-v2", "side-band-64k"],
      refs,
      "Refused.\nNothing was pushed.",
    );
    const outer = packets(response.body);
    expect(outer.at(-1)).toBeNull();
    const bands = outer.slice(0, -1) as Buffer[];
    expect(bands[0]?.[0]).toBe(2);
    expect(bands[0]?.subarray(1).toString()).toBe("Refused.\nNothing was pushed.\n");
    const report = Buffer.concat(bands.filter((band) => band[0] === 1).map((band) => band.subarray(1)));
    expect(report).toEqual(reportRefusal(["report-status"], refs).body);
  });

  it("splits band data at the side-band packet size", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      ref: `refs/heads/branch-${i}`,
      reason: "x".repeat(60),
    }));
    for (const [capability, max] of [
      ["side-band", 1000],
      ["side-band-64k", 65520],
    ] as const) {
      const body = reportRefusal(["report-status", capability], many, "m".repeat(3000)).body;
      const outer = packets(body);
      for (const packet of outer) if (packet) expect(packet.length + 4).toBeLessThanOrEqual(max);
      const report = Buffer.concat(outer.filter((p): p is Buffer => p?.[0] === 1).map((p) => p.subarray(1)));
      expect(report).toEqual(reportRefusal(["report-status"], many).body);
    }
    expect(packets(reportRefusal(["side-band"], many).body).length).toBeGreaterThan(3);
  });
});

describe("reportFatal", () => {
  it("is band 3 with side-band, an ERR pkt-line without", () => {
    const banded = packets(reportFatal(["side-band-64k"], "Malformed push request.").body);
    expect(banded[0]?.toString()).toBe("\u0003Malformed push request.\n");
    expect(banded[1]).toBeNull();
    expect(reportFatal([], "bad\npush").body.toString()).toBe("0011ERR bad push\n");
    // Not known (the error came first): side-band-64k, as git asks for it whenever it is offered.
    expect(reportFatal(null, "x").body).toEqual(reportFatal(["side-band-64k"], "x").body);
  });
});
