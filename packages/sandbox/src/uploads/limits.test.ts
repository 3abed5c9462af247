// Limits: an upload too large as it arrives, and bombs, zip and tar.gz, refused before (or soon
// after) they inflate past what they may.
import { Readable } from "node:stream";
import { gunzipSync } from "node:zlib";
import tar from "tar-stream";
import { describe, expect, it } from "vitest";
import { small, tarGz, useUploadHarness } from "./test-harness.ts";
import { buildZip, deflatedZeros, gzipOf } from "./testing.ts";

const { refusal } = useUploadHarness();

describe("limits", () => {
  it("refuses an upload over the compressed limit as it streams, reading little more", async () => {
    let pulled = 0;
    const chunk = Buffer.alloc(64 * 1024, 1);
    chunk[0] = 0x1f;
    chunk[1] = 0x8b;
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 10_000; i++) {
          pulled += chunk.length;
          yield chunk;
        }
      })(),
    );
    const error = await refusal(input, { ...small, compressedBytes: 1024 * 1024 });
    expect(error.reason).toBe("too_large");
    expect(pulled).toBeLessThan(1024 * 1024 + 4 * chunk.length);
    expect(input.destroyed).toBe(false); // left to the HTTP handler to answer
    input.destroy();
  });

  it("refuses a zip bomb declaring 2 GB before inflating anything", async () => {
    let inflated = 0;
    const zip = buildZip([{ name: "zeros", deflated: deflatedZeros(2048), size: 2 ** 31 }]);
    const error = await refusal(zip, small, { onInflate: (n) => (inflated += n) });
    expect(error.reason).toBe("unpacked_too_large");
    expect(inflated).toBe(0);
  });

  it("stops a zip bomb that lies about its size soon after what it declared", async () => {
    let inflated = 0;
    const zip = buildZip([
      { name: "small", data: Buffer.from("ok") },
      { name: "zeros", deflated: deflatedZeros(2048), size: 1024 * 1024 },
    ]);
    const error = await refusal(zip, small, { onInflate: (n) => (inflated += n) });
    expect(error.reason).toBe("corrupt");
    expect(inflated).toBeLessThanOrEqual(1024 * 1024 + 2);
  });

  it("refuses a tar.gz whose entries declare more than the unpacked limit, inflating only headers", async () => {
    let inflated = 0;
    const header = Buffer.alloc(512);
    const pack = tar.pack();
    pack.entry({ name: "zeros", size: 2 ** 31 }); // the header is all it writes before the data
    const chunks: Buffer[] = [];
    pack.on("data", (chunk) => chunks.push(chunk as Buffer));
    await new Promise((resolve) => setImmediate(resolve));
    Buffer.concat(chunks).copy(header);
    const bomb = gzipOf(deflatedZeros(2048, header));
    const error = await refusal(bomb, small, { onInflate: (n) => (inflated += n) });
    expect(error.reason).toBe("unpacked_too_large");
    expect(inflated).toBeLessThan(small.unpackedBytes);
    pack.destroy();
  });

  it("stops a tar.gz padded with 2 GB of zeros after its last entry soon after the limit", async () => {
    let inflated = 0;
    const tarred = gunzipSync(await tarGz([{ name: "a.txt", content: "a" }]));
    const bomb = gzipOf(deflatedZeros(2048, tarred));
    const error = await refusal(bomb, small, { onInflate: (n) => (inflated += n) });
    expect(error.reason).toBe("unpacked_too_large");
    expect(inflated).toBeLessThan(small.unpackedBytes);
  });

  it("refuses many files together over the unpacked limit", async () => {
    const content = "z".repeat(1024 * 1024);
    const archive = await tarGz(Array.from({ length: 10 }, (_, i) => ({ name: `f${i}`, content })));
    expect((await refusal(archive)).reason).toBe("unpacked_too_large");
  });
});
