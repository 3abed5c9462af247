// A workspace leaves a sandbox as a tar.gz (tar is everywhere; zip is not); people who ask for a
// .zip get one made from that stream on the way through, entry by entry, so neither archive is
// ever held whole in the studio's memory. yazl writes zip64 where sizes need it.
import { PassThrough, type Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import tar from "tar-stream";
import { ZipFile } from "yazl";

const SYMLINK_TYPE = 0o120000;

/**
 * Re-packs a gzipped tar stream as a zip stream. Files, directories and symbolic links are kept
 * (links as zip's Unix link entries, which unzip restores); anything else (devices, FIFOs) is
 * skipped: a workspace has none a person would want. An error in the input errors the output.
 */
export function tarGzToZip(input: Readable): Readable {
  const zip = new ZipFile();
  const output = new PassThrough();
  const extract = tar.extract();
  const fail = (error: Error) => {
    input.destroy();
    extract.destroy();
    output.destroy(error);
  };
  zip.outputStream.on("error", fail).pipe(output);
  extract.on("entry", (header, stream, next) => {
    const name = header.name.replace(/^\.\/+/, "");
    const options = { mtime: header.mtime ?? new Date(), mode: header.mode ?? 0o644 };
    if (!name || name === ".") {
      stream.resume();
      stream.on("end", next);
      return;
    }
    if (header.type === "file" || header.type === "contiguous-file") {
      // yazl reads added streams one after another; the next tar entry is asked for only once this
      // one has been read to its end, so at most one entry is in flight.
      // Level 1: zlib's fastest. The studio compresses every byte a second time here (the tar.gz
      // was already compressed in the sandbox); the default level cost ~9 s of the studio's CPU per
      // 100 MB of incompressible files in `pnpm bench`, for a few percent on source code.
      zip.addReadStream(stream as unknown as Readable, name, { ...options, compressionLevel: 1 });
      stream.on("end", next);
      return;
    }
    if (header.type === "directory") zip.addEmptyDirectory(name, options);
    else if (header.type === "symlink" && header.linkname)
      zip.addBuffer(Buffer.from(header.linkname), name, {
        ...options,
        mode: SYMLINK_TYPE | ((header.mode ?? 0o777) & 0o777),
        compressionLevel: 0,
      });
    stream.resume();
    stream.on("end", next);
  });
  extract.on("finish", () => zip.end());
  extract.on("error", fail);
  const gunzip = createGunzip().on("error", fail);
  input.on("error", fail).pipe(gunzip).pipe(extract);
  // A reader that goes away (the person cancelled) stops the reading from the sandbox too.
  let finished = false;
  extract.on("finish", () => {
    finished = true;
  });
  output.on("close", () => {
    if (!finished) fail(new Error("download cancelled"));
  });
  return output;
}
