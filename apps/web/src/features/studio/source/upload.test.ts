// The folder → zip step runs on real fflate and real File objects (Node has both): what comes out
// is unzipped again and compared, so a wrong path or a corrupted entry fails here.
import { unzipSync } from "fflate";
import { describe, expect, it } from "vitest";
import { chosenFolder, UploadError, zipFolder } from "./upload.ts";

function file(path: string, content: string | Uint8Array<ArrayBuffer>): { path: string; item: File } {
  const name = path.split("/").at(-1) ?? path;
  return { path, item: new File([content], name) };
}

describe("zipFolder", () => {
  it("zips a chosen folder under its own name, byte for byte", async () => {
    const binary = new Uint8Array(300_000).map((_, index) => (index * 7919) % 256);
    const progress: number[] = [];
    const { blob, fileCount } = await zipFolder(
      [
        file("my-app/package.json", '{"name":"my-app"}'),
        file("my-app/src/index.ts", "export const answer = 42;\n".repeat(1000)),
        file("my-app/assets/logo.png", binary),
        file("my-app/.DS_Store", "litter"),
      ],
      (read) => progress.push(read),
    );
    expect(fileCount).toBe(3);
    const unzipped = unzipSync(new Uint8Array(await blob.arrayBuffer()));
    expect(Object.keys(unzipped).sort()).toEqual([
      "my-app/assets/logo.png",
      "my-app/package.json",
      "my-app/src/index.ts",
    ]);
    expect(new TextDecoder().decode(unzipped["my-app/package.json"])).toBe('{"name":"my-app"}');
    expect(new TextDecoder().decode(unzipped["my-app/src/index.ts"])).toBe(
      "export const answer = 42;\n".repeat(1000),
    );
    expect(unzipped["my-app/assets/logo.png"]).toEqual(binary);
    expect(progress.at(-1)).toBe(17 + 26_000 + 300_000);
  });

  it("refuses a folder that zips past the limit", async () => {
    const random = crypto.getRandomValues(new Uint8Array(60_000));
    await expect(
      zipFolder([file("big/a.bin", random), file("big/b.bin", random)], () => {}, undefined, 50_000),
    ).rejects.toThrow(UploadError);
  });

  it("refuses a folder with nothing to upload", async () => {
    await expect(zipFolder([file("x/.DS_Store", "litter")], () => {})).rejects.toThrow(/no files/);
  });

  it("stops when cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(zipFolder([file("x/a.txt", "a")], () => {}, controller.signal)).rejects.toThrow(/Cancelled/);
  });

  it("reads the paths an <input webkitdirectory> reports", () => {
    const picked = new File(["x"], "a.txt");
    Object.defineProperty(picked, "webkitRelativePath", { value: "proj/src/a.txt" });
    expect(chosenFolder([picked])).toEqual([{ path: "proj/src/a.txt", item: picked }]);
  });
});
