// POST /api/uploads over real HTTP: good archives (zip and tar.gz) become a row and a clean tar in
// the upload directory; too large, bombs, damaged archives, escaping paths and links out are refused
// with nothing left behind; only members may upload, cookies only from the studio's own pages, and
// an upload starts a session for its owner only.
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { request } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { crc32, deflateRawSync } from "node:zlib";
import { inertSessionsContext } from "@studio/api/testing";
import { createAuthSession, expireUploads, newKeyring, openUpload } from "@studio/core";
import { useTestDatabase } from "@studio/testkit/vitest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStudioServer, type StudioServer } from "./app.ts";
import { loadConfig } from "./config.ts";
import { createLogger } from "./logger.ts";
import { signUpAccount, type TestAccount } from "./testing/studio-process.ts";

const run = promisify(execFile);
const database = useTestDatabase();
const MAX_BYTES = 1024 * 1024;
let studio: StudioServer;
let url: string;
let work: string;
let uploadDir: string;

/** A zip written byte by byte, stored (no compression) unless `deflate`: whatever names and modes it is told. */
function zipOf(items: { name: string; data?: Buffer; mode?: number; deflate?: boolean }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const item of items) {
    const name = Buffer.from(item.name);
    const raw = item.data ?? Buffer.alloc(0);
    const data = item.deflate ? deflateRawSync(raw) : raw;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(item.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(raw.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(0x0314, 4); // made by Unix: external attributes hold st_mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(item.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(raw.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((item.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
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

/** A tar.gz of a folder made with `files` (and symlinks), by the system's tar. */
async function tarGzOf(name: string, files: Record<string, string>, links: Record<string, string> = {}) {
  const root = path.join(work, name);
  for (const [file, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), content);
  }
  for (const [link, target] of Object.entries(links)) await symlink(target, path.join(root, link));
  const archive = path.join(work, `${name}.tar.gz`);
  await run("tar", ["-czf", archive, "-C", work, name]);
  return readFile(archive);
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs a body with node's client, which (unlike fetch) gives the answer when the server closes mid-body. */
function post(
  body: Buffer,
  headers: Record<string, string>,
  options: { name?: string; chunked?: boolean; method?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const target = new URL(`${url}/api/uploads?name=${encodeURIComponent(options.name ?? "project.zip")}`);
    const req = request(target, {
      method: options.method ?? "POST",
      headers: { ...headers, ...(options.chunked ? {} : { "content-length": String(body.length) }) },
    });
    let answered = false;
    req.on("response", (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || "{}") }),
      );
    });
    req.on("error", (error) => {
      if (!answered) reject(error);
    });
    // In pieces, so a server that stops reading is seen as such.
    let at = 0;
    const next = () => {
      while (at < body.length) {
        const piece = body.subarray(at, at + 64 * 1024);
        at += piece.length;
        if (!req.write(piece)) return void req.once("drain", next);
      }
      req.end();
    };
    next();
  });
}

let owner: TestAccount;
let ownerCookie: string;
let other: TestAccount;

const bearer = (account: TestAccount) => ({ authorization: `Bearer ${account.token}` });
const filesIn = async (dir: string) => (await readdir(dir)).sort();

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "uploads-test-"));
  uploadDir = path.join(work, "uploads");
  const config = loadConfig({
    PORT: "0",
    STUDIO_DATA_DIR: "/nonexistent",
    STUDIO_WEB_DIST: "/nonexistent",
    STUDIO_UPLOAD_DIR: uploadDir,
    STUDIO_UPLOAD_MAX_BYTES: String(MAX_BYTES),
    STUDIO_UPLOAD_MAX_UNPACKED_BYTES: String(2 * MAX_BYTES),
    STUDIO_UPLOAD_MAX_FILES: "100",
  });
  studio = createStudioServer({
    config,
    db: database.db,
    pool: database.pool,
    logger: createLogger("silent"),
    sessions: { ...inertSessionsContext, runtime: { ...inertSessionsContext.runtime, uploadDir } },
    keyring: newKeyring(),
  });
  url = await studio.listen();
  owner = await signUpAccount(url);
  other = await signUpAccount(url);
  const user = await database.db.user.findUniqueOrThrow({ where: { email: owner.email } });
  const organizationId = (await owner.client.organizations.current.query()).id;
  ownerCookie = `studio_session=${(await createAuthSession(database.db, user.id, organizationId)).token}`;
  // Credits for both, so only the upload's owner decides who may start from it.
  for (const account of [owner, other]) {
    const id = (await account.client.organizations.current.query()).id;
    await database.db.creditAccount.upsert({
      where: { organizationId: id },
      create: { organizationId: id, balanceMicroUsd: 10_000_000n },
      update: { balanceMicroUsd: 10_000_000n },
    });
  }
});

afterAll(async () => {
  await studio?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe("a good upload", () => {
  it("a zip becomes a row and a clean tar; a session of its owner starts from it, another's cannot", async () => {
    const zip = zipOf([
      { name: "project/", mode: 0o40755 },
      { name: "project/README.md", data: Buffer.from("# Hello\n") },
      { name: "project/src/main.ts", data: Buffer.from("console.log(1);\n".repeat(100)), deflate: true },
    ]);
    const answer = await post(zip, bearer(owner), { name: "C:\\Users\\me\\project.zip" });
    expect(answer).toEqual({
      status: 200,
      body: { uploadId: expect.any(String), fileName: "project.zip", fileCount: 2, unpackedBytes: 8 + 1600 },
    });
    const uploadId = answer.body.uploadId as string;
    expect(await filesIn(uploadDir)).toContain(`${uploadId}.tar`);
    const row = await database.db.sessionUpload.findUniqueOrThrow({ where: { id: uploadId } });
    expect(row).toMatchObject({ fileCount: 2, compressedBytes: BigInt(zip.length), unpackedBytes: 1608n });
    // The tar lists the files without the wrapping folder.
    const { stdout } = await run("tar", ["-tf", path.join(uploadDir, `${uploadId}.tar`)]);
    expect(stdout).toMatch(/README\.md/);
    expect(stdout).not.toMatch(/project\//);

    const base = { environment: "development", provider: "xai", model: "grok-4-1-fast" } as const;
    await expect(
      other.client.sessions.create.mutate({ ...base, source: { kind: "upload", uploadId } }),
    ).rejects.toThrow(/Upload not found/);
    const session = await owner.client.sessions.create.mutate({
      ...base,
      source: { kind: "upload", uploadId },
    });
    expect(session.source.kind).toBe("upload");
  });

  it("a tar.gz from a browser session on the studio's own page", async () => {
    const archive = await tarGzOf(
      "good",
      { "a.txt": "alpha\n", "dir/b.txt": "beta\n" },
      { "link-in": "a.txt" },
    );
    const answer = await post(archive, { cookie: ownerCookie, origin: url }, { name: "good.tar.gz" });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ fileName: "good.tar.gz", fileCount: 3, unpackedBytes: 11 });
  });
});

describe("a refused upload leaves nothing behind", () => {
  async function refused(body: Buffer, status: number, words: RegExp, options: { chunked?: boolean } = {}) {
    const before = await filesIn(uploadDir).catch(() => []);
    const rows = await database.db.sessionUpload.count();
    const answer = await post(body, bearer(owner), options);
    expect(answer.status).toBe(status);
    expect(String(answer.body.error)).toMatch(words);
    expect(await filesIn(uploadDir).catch(() => [])).toEqual(before);
    expect(await database.db.sessionUpload.count()).toBe(rows);
  }

  it("too large by its Content-Length, or as it streams, or once unpacked (a bomb): 413", async () => {
    const big = Buffer.alloc(MAX_BYTES + 1, 7);
    await refused(big, 413, /larger than 1 MB/);
    await refused(Buffer.concat([zipOf([]), big]), 413, /./, { chunked: true });
    const bomb = zipOf([{ name: "zeros.bin", data: Buffer.alloc(8 * MAX_BYTES), deflate: true }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    await refused(bomb, 413, /./);
  });

  it("damaged, escaping, linking out, or a device: 400", async () => {
    await refused(Buffer.from("this is not an archive at all"), 400, /refused/);
    const zip = zipOf([{ name: "a.txt", data: Buffer.from("hello") }]);
    await refused(zip.subarray(0, zip.length - 30), 400, /refused/);
    await refused(zipOf([{ name: "../evil.txt", data: Buffer.from("x") }]), 400, /refused/);
    await refused(zipOf([{ name: "/etc/evil", data: Buffer.from("x") }]), 400, /refused/);
    await refused(zipOf([{ name: "out", data: Buffer.from("/etc/passwd"), mode: 0o120777 }]), 400, /refused/);
    await refused(await tarGzOf("linked", { "a.txt": "a" }, { out: "../../../etc/passwd" }), 400, /refused/);
    await refused(zipOf([{ name: "fifo", mode: 0o010644 }]), 400, /refused/);
  });
});

describe("who may upload", () => {
  const zip = () => zipOf([{ name: "a.txt", data: Buffer.from("a") }]);

  it("nobody signed in: 401; a cookie from another site: 403; GET: 405", async () => {
    const rows = await database.db.sessionUpload.count();
    expect((await post(zip(), {})).status).toBe(401);
    expect((await post(zip(), { cookie: "studio_session=forged" })).status).toBe(401);
    const crossSite = await post(zip(), { cookie: ownerCookie, origin: "https://evil.example" });
    expect(crossSite).toEqual({ status: 403, body: { error: "Cross-site request refused." } });
    expect((await post(zip(), { cookie: ownerCookie, "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect((await post(Buffer.alloc(0), bearer(owner), { method: "GET" })).status).toBe(405);
    expect(await database.db.sessionUpload.count()).toBe(rows);
  });
});

describe("expiring uploads", () => {
  it("removes unused uploads past their day and stray files; keeps used and recent ones", async () => {
    const store = async () => {
      const answer = await post(zipOf([{ name: "a.txt", data: Buffer.from("a") }]), bearer(owner));
      return answer.body.uploadId as string;
    };
    const stale = await store();
    const fresh = await store();
    const used = await store();
    await owner.client.sessions.create.mutate({
      environment: "development",
      provider: "xai",
      model: "grok-4-1-fast",
      source: { kind: "upload", uploadId: used },
    });
    const dayAgo = new Date(Date.now() - 25 * 3600_000);
    await database.db.sessionUpload.updateMany({
      where: { id: { in: [stale, used] } },
      data: { createdAt: dayAgo },
    });
    const stray = path.join(uploadDir, ".leftover.partial");
    await writeFile(stray, "half");
    await utimes(stray, dayAgo, dayAgo);

    expect(
      await expireUploads(database.db, uploadDir, new Date(Date.now() - 24 * 3600_000)),
    ).toBeGreaterThanOrEqual(1);
    const left = await filesIn(uploadDir);
    expect(left).not.toContain(`${stale}.tar`);
    expect(left).not.toContain(".leftover.partial");
    expect(left).toEqual(expect.arrayContaining([`${fresh}.tar`, `${used}.tar`]));
    expect(await database.db.sessionUpload.findUnique({ where: { id: stale } })).toBeNull();
    // What the runner reads: the clean tar.
    const chunks: Buffer[] = [];
    for await (const chunk of openUpload(uploadDir, used)) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).length % 512).toBe(0);
  });
});
