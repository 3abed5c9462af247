// The installation id on real PostgreSQL: made once, kept, and the same for racing first callers.
import { useTestDatabase } from "@studio/testkit/vitest";
import { describe, expect, it } from "vitest";
import { installationId } from "./installation.ts";

const database = useTestDatabase();

describe("installationId", () => {
  it("is created once, then read back unchanged", async () => {
    expect(await database.db.studioInstallation.count()).toBe(0);
    const first = await installationId(database.db);
    expect(first).toMatch(/^[a-z2-7]{24}$/);
    expect(await installationId(database.db)).toBe(first);
    expect(await database.db.studioInstallation.findMany()).toEqual([
      { slot: 1, id: first, createdAt: expect.any(Date) },
    ]);
  });

  it("gives racing first callers one and the same id", async () => {
    await database.db.studioInstallation.deleteMany();
    const ids = await Promise.all(Array.from({ length: 8 }, () => installationId(database.db)));
    expect(new Set(ids).size).toBe(1);
    expect(await database.db.studioInstallation.count()).toBe(1);
  });

  it("keeps an id made before (a restored database keeps its identity)", async () => {
    await database.db.studioInstallation.deleteMany();
    await database.db.studioInstallation.create({ data: { id: "kept-installation-id" } });
    expect(await installationId(database.db)).toBe("kept-installation-id");
  });
});
