import { Readable } from "node:stream";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { ReceivePackError, readPushHead } from "./receive-pack.ts";
import { pktLine } from "./report-status.ts";

const A = "a".repeat(40);
const B = "b".repeat(40);
const ZERO = "0".repeat(40);
const CAPS = "report-status side-band-64k quiet object-format=sha1 agent=git/2.39.5";
const PACK = Buffer.concat([Buffer.from("PACK\0\0\0\x02\0\0\0\0"), Buffer.alloc(20, 7)]);

const head = (...lines: string[]) =>
  Buffer.concat([...lines.map((line) => pktLine(line)), Buffer.from("0000")]);
const twoRefs = head(`${ZERO} ${A} refs/heads/studio/x\0${CAPS}`, `${A} ${B} refs/heads/main\n`);

/** A body delivered in the given chunk sizes (the last chunk takes the rest). */
function chunked(body: Buffer, ...sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const size of sizes) {
    chunks.push(body.subarray(at, at + size));
    at += size;
  }
  if (at < body.length) chunks.push(body.subarray(at));
  return Readable.from(chunks, { objectMode: false });
}

async function refusal(body: Buffer, options = {}): Promise<ReceivePackError> {
  const error = await readPushHead(chunked(body), options).catch((error: unknown) => error);
  expect(error).toBeInstanceOf(ReceivePackError);
  return error as ReceivePackError;
}

describe("readPushHead", () => {
  it("reads commands and capabilities and replays the whole body", async () => {
    const body = Buffer.concat([twoRefs, PACK]);
    const result = await readPushHead(chunked(body));
    expect(result.commands).toEqual([
      { oldOid: ZERO, newOid: A, ref: "refs/heads/studio/x" },
      { oldOid: A, newOid: B, ref: "refs/heads/main" },
    ]);
    expect(result.capabilities).toEqual(CAPS.split(" "));
    expect(result.shallow).toEqual([]);
    expect(Buffer.concat(await result.body.toArray())).toEqual(body);
  });

  it("replays the exact bytes whatever the chunk boundaries", async () => {
    const body = Buffer.concat([twoRefs, PACK]);
    for (const sizes of [
      [1, 1, 1, 1, 1],
      [3, 2],
      [4],
      [60, 1, 1],
      [twoRefs.length - 2, 1, 1],
      [twoRefs.length],
    ]) {
      const result = await readPushHead(chunked(body, ...sizes));
      expect(result.commands.map((command) => command.ref)).toEqual([
        "refs/heads/studio/x",
        "refs/heads/main",
      ]);
      expect(Buffer.concat(await result.body.toArray())).toEqual(body);
    }
  });

  it("stops reading at the flush, leaving the rest to the replay", async () => {
    let pulled = 0;
    const chunks = [twoRefs, PACK, PACK, PACK];
    const source = new Readable({
      highWaterMark: 1,
      read() {
        this.push(pulled < chunks.length ? chunks[pulled++] : null);
      },
    });
    const result = await readPushHead(source);
    expect(result.commands).toHaveLength(2);
    expect(pulled).toBeLessThan(chunks.length);
    expect(Buffer.concat(await result.body.toArray())).toEqual(Buffer.concat(chunks));
  });

  it("reads a gzip body and replays it still compressed", async () => {
    const body = gzipSync(Buffer.concat([twoRefs, PACK]));
    for (const encoding of ["gzip", "x-gzip", ["gzip"]]) {
      const result = await readPushHead(chunked(body, 5, 7, 3), { contentEncoding: encoding });
      expect(result.commands).toHaveLength(2);
      expect(result.capabilities).toContain("side-band-64k");
      expect(Buffer.concat(await result.body.toArray())).toEqual(body);
    }
  });

  it("accepts sha256 ids, shallow lines and git's probe (an empty list)", async () => {
    const old = "c".repeat(64);
    const result = await readPushHead(
      chunked(
        head(
          `shallow ${A}`,
          `${"0".repeat(64)} ${old} refs/heads/studio/y\0report-status-v2 object-format=sha256`,
        ),
      ),
    );
    expect(result.shallow).toEqual([A]);
    expect(result.commands).toEqual([{ oldOid: "0".repeat(64), newOid: old, ref: "refs/heads/studio/y" }]);
    expect(result.capabilities).toEqual(["report-status-v2", "object-format=sha256"]);

    const probe = await readPushHead(chunked(Buffer.from("0000")));
    expect(probe.commands).toEqual([]);
    expect(Buffer.concat(await probe.body.toArray()).toString()).toBe("0000");
  });

  it("refuses malformed pkt-lines and commands", async () => {
    const cases = [
      Buffer.from("zz12hello"),
      Buffer.from("0001"),
      Buffer.from("0004"),
      Buffer.from("0003"),
      head(`${A} ${B}`),
      head(`${A.slice(1)} ${B} refs/heads/studio/x`),
      head(`${A.toUpperCase()} ${B} refs/heads/studio/x`),
      head(`${A} ${"b".repeat(64)} refs/heads/studio/x`),
      head(`${A} ${B} `),
      head(`${A} ${B} refs/heads/studio/x`, `${A} ${B} refs/heads/studio/y\0report-status`),
      head(`shallow ${A.slice(2)}`),
      Buffer.concat([
        pktLine(Buffer.concat([Buffer.from(`${A} ${B} refs/heads/studio/`), Buffer.of(0xff)])),
        Buffer.from("0000"),
      ]),
    ];
    for (const body of cases) expect((await refusal(body)).code).toBe("malformed");
  });

  it("tells whether the capabilities were read before an error", async () => {
    expect((await refusal(Buffer.from("0001"))).capabilities).toBeNull();
    expect((await refusal(head(`${A} ${B} refs/heads/x`, "0001"))).capabilities).toEqual([]);
    const late = await refusal(
      Buffer.concat([pktLine(`${A} ${B} refs/heads/x\0report-status side-band`), Buffer.from("0002")]),
    );
    expect(late.capabilities).toEqual(["report-status", "side-band"]);
  });

  it("refuses a body that ends before the flush", async () => {
    expect((await refusal(twoRefs.subarray(0, -4))).code).toBe("truncated");
    expect((await refusal(twoRefs.subarray(0, 10))).code).toBe("truncated");
    const cut = gzipSync(twoRefs.subarray(0, -4));
    expect((await refusal(cut, { contentEncoding: "gzip" })).code).toBe("truncated");
  });

  it("refuses more than the bound before the flush, also when compressed", async () => {
    const many = Array.from({ length: 200 }, (_, i) => `${ZERO} ${A} refs/heads/studio/branch-${i}`);
    const body = head(`${many[0]}\0report-status`, ...many.slice(1));
    expect((await readPushHead(chunked(body), { maxBytes: body.length })).commands).toHaveLength(200);
    expect((await refusal(body, { maxBytes: body.length - 1 })).code).toBe("too-large");
    // No flush at all: an endless stream of pkt-lines is cut at the bound, not read to the end.
    const endless = new Readable({
      read() {
        this.push(pktLine(`${ZERO} ${A} refs/heads/studio/loop`));
      },
    });
    expect(await readPushHead(endless, { maxBytes: 4096 }).catch((error) => error.code)).toBe("too-large");
  });

  it("refuses a gzip bomb of pkt-lines at the bound", async () => {
    const line = pktLine(`${ZERO} ${A} refs/heads/studio/${"z".repeat(100)}`);
    const bomb = gzipSync(Buffer.concat(Array.from({ length: 50_000 }, () => line)));
    expect(bomb.length).toBeLessThan(200_000);
    expect((await refusal(bomb, { contentEncoding: "gzip" })).code).toBe("too-large");
  });

  it("refuses bad gzip and unknown encodings", async () => {
    expect((await refusal(twoRefs, { contentEncoding: "gzip" })).code).toBe("bad-gzip");
    expect((await refusal(twoRefs, { contentEncoding: "br" })).code).toBe("unsupported-encoding");
    expect((await refusal(twoRefs, { contentEncoding: "gzip, gzip" })).code).toBe("unsupported-encoding");
  });

  it("refuses signed pushes, keeping their capabilities for the answer", async () => {
    const error = await refusal(
      head(
        "push-cert\0report-status side-band-64k\n",
        "certificate version 0.1\n",
        "pusher A U Thor <a@example.com> 1 +0000\n",
        "\n",
        `${ZERO} ${A} refs/heads/main\n`,
        "push-cert-end\n",
      ),
    );
    expect(error.code).toBe("push-cert");
    expect(error.message).toContain("--signed");
    expect(error.capabilities).toEqual(["report-status", "side-band-64k"]);
  });
});
