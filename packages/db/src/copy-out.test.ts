import { describe, expect, it } from "vitest";
import { inlineSql } from "./copy-out.ts";
import { Prisma } from "./generated/prisma/client.ts";

describe("inlineSql", () => {
  it("writes each kind of value a filter holds as an escaped literal", () => {
    const from = new Date("2026-01-02T03:04:05.006Z");
    const query = Prisma.sql`SELECT 1 WHERE a = ${"o'brien"} AND b >= ${from} AND c = ANY(${["usage", "grant"]}::k[])
      AND d = ${42} AND e = ${7n} AND f = ${true} AND g IS ${null}`;
    expect(inlineSql(query)).toBe(
      `SELECT 1 WHERE a = 'o''brien' AND b >= '2026-01-02T03:04:05.006Z' AND c = ANY(ARRAY['usage', 'grant']::k[])
      AND d = 42 AND e = 7 AND f = TRUE AND g IS NULL`,
    );
  });

  it("keeps backslashes and quotes inside the literal, so a value cannot end it", () => {
    const query = Prisma.sql`SELECT ${"x\\'; DROP TABLE users; --"}`;
    expect(inlineSql(query)).toBe(`SELECT  E'x\\\\''; DROP TABLE users; --'`);
  });

  it("refuses values it has no literal for", () => {
    expect(() => inlineSql(Prisma.sql`SELECT ${{ a: 1 } as unknown as string}`)).toThrow(TypeError);
    expect(() => inlineSql(Prisma.sql`SELECT ${Number.NaN}`)).toThrow(TypeError);
    expect(() => inlineSql(Prisma.sql`SELECT ${new Date("nope")}`)).toThrow(TypeError);
  });
});
