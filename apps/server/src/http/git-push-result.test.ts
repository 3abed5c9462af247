import { pktLine } from "@studio/gateway";
import { describe, expect, it } from "vitest";
import { pushResultReader } from "./git-push-result.ts";

const report = Buffer.concat([
  pktLine("unpack ok\n"),
  pktLine("ok refs/heads/studio/a\n"),
  pktLine("ng refs/heads/studio/b non-fast-forward\n"),
  Buffer.from("0000"),
]);

/** Fed one byte at a time: the remote's answer may be cut anywhere. */
function read(sideBand: boolean, bytes: Buffer) {
  const reader = pushResultReader(sideBand);
  for (const byte of bytes) reader.push(Buffer.of(byte));
  return reader.result();
}

describe("pushResultReader", () => {
  it("reads which refs were updated from a plain report", () => {
    expect(read(false, report)).toEqual({ unpackOk: true, updated: ["refs/heads/studio/a"], complete: true });
  });

  it("reads the report inside side-band 1, skipping progress on band 2", () => {
    const progress = pktLine(Buffer.concat([Buffer.of(2), Buffer.from("ok refs/heads/fake\n")]));
    const band = pktLine(Buffer.concat([Buffer.of(1), report]));
    expect(read(true, Buffer.concat([progress, band, Buffer.from("0000")]))).toEqual({
      unpackOk: true,
      updated: ["refs/heads/studio/a"],
      complete: true,
    });
  });

  it("believes nothing of a failed unpack or an answer that is not pkt-lines", () => {
    const failed = Buffer.concat([
      pktLine("unpack index-pack failed\n"),
      pktLine("ng refs/heads/x unpacker error\n"),
    ]);
    expect(read(false, failed).unpackOk).toBe(false);
    expect(read(false, Buffer.from("<html>Bad gateway</html>"))).toEqual({
      unpackOk: false,
      updated: [],
      complete: false,
    });
  });
});
