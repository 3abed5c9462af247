// sandbox-agent 0.4.2's `upload-batch` extracts a tar's hard link against its own working
// directory instead of the destination ("No such file or directory … when hard linking
// src/main.ts"), which fails the whole batch. Uploads keep hard links the studio checked (to an
// earlier file of the same upload, inside it), so on the way in each hard link's target is made
// absolute under the destination, which is where the link means it. Everything else passes as is.
import { posix } from "node:path";
import { PassThrough, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import tar from "tar-stream";

/** The tar stream with every hard link's target rebased under `dir` (an absolute directory). */
export function rebaseHardLinks(body: Readable, dir: string): Readable {
  const extract = tar.extract();
  const pack = tar.pack();
  const out = new PassThrough();
  extract.on("entry", (header, stream, next) => {
    if (header.type === "link" && header.linkname && !header.linkname.startsWith("/"))
      header.linkname = posix.join(dir, header.linkname);
    const sink = pack.entry(header, (error) => (error ? extract.destroy(error) : next()));
    pipeline(stream, sink).catch((error: Error) => extract.destroy(error));
  });
  extract.on("finish", () => pack.finalize());
  const fail = (error: Error) => out.destroy(error);
  pipeline(body, extract).catch(fail);
  pipeline(pack, out).catch(fail);
  return out;
}
