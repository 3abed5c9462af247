// Builders for hostile archives in tests: a zip writer that writes whatever it is told (names,
// modes, declared sizes that lie), and deflate streams of zeros of any length built without
// compressing them (copies of one fully flushed block), so a 2 GB bomb costs 2 MB to make.
import { constants, crc32, deflateRawSync } from "node:zlib";

export interface ZipItem {
  name: string | Buffer;
  data?: Buffer;
  /** st_mode with its type bits (0o100644 a file, 0o120777 a symlink, 0o010644 a FIFO). */
  mode?: number;
  /** Raw deflate data to store as is, with `size` its inflated length. */
  deflated?: Buffer;
  size?: number;
  crc?: number;
}

export function buildZip(items: ZipItem[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = typeof item.name === "string" ? Buffer.from(item.name) : item.name;
    const data = item.deflated ?? item.data ?? Buffer.alloc(0);
    const method = item.deflated ? 8 : 0;
    const size = item.size ?? data.length;
    const crc = item.crc ?? (item.deflated ? 0 : crc32(data));
    const mode = item.mode ?? (name.at(-1) === 0x2f ? 0o40755 : 0o100644);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, data);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE((mode << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(items.length, 8);
  end.writeUInt16LE(items.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

/** Raw deflate of `megabytes` MiB of zeros, preceded by `prefix` (inflated first). */
export function deflatedZeros(megabytes: number, prefix = Buffer.alloc(0)): Buffer {
  const flush = { finishFlush: constants.Z_FULL_FLUSH };
  // A full flush resets the compressor, so each copy of this block inflates on its own.
  const block = deflateRawSync(Buffer.alloc(1024 * 1024), flush);
  const parts = [deflateRawSync(prefix, flush)];
  for (let i = 0; i < megabytes; i++) parts.push(block);
  parts.push(deflateRawSync(Buffer.alloc(0))); // the final, empty block
  return Buffer.concat(parts);
}

/** A gzip member around raw deflate data (its trailer is not checked before the end is reached). */
export function gzipOf(deflated: Buffer, crc = 0, size = 0): Buffer {
  const header = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc, 0);
  trailer.writeUInt32LE(size >>> 0, 4);
  return Buffer.concat([header, deflated, trailer]);
}
