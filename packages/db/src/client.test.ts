import pg from "pg";
import { describe, expect, it } from "vitest";
import { isConnectionError, isStatementError } from "./client.ts";

function reported(code: string) {
  const error = new pg.DatabaseError("reported by PostgreSQL", 0, "error");
  error.code = code;
  return error;
}

describe("isStatementError", () => {
  it("is true for what PostgreSQL refused in the statement itself", () => {
    expect(isStatementError(reported("23503"))).toBe(true); // foreign key violation
    expect(isStatementError(reported("22P02"))).toBe(true); // invalid text representation
    expect(isStatementError(reported("40P01"))).toBe(true); // deadlock: rolled back, safe to retry
  });

  it("is false for a server that is not taking work, and for a lost connection", () => {
    expect(isStatementError(reported("57P01"))).toBe(false); // admin shutdown
    expect(isStatementError(reported("57P03"))).toBe(false); // cannot connect now (starting up)
    expect(isStatementError(reported("08006"))).toBe(false); // connection failure
    expect(isStatementError(reported("53300"))).toBe(false); // too many connections
    expect(isStatementError(reported("28P01"))).toBe(false); // password authentication failed
    expect(isStatementError(reported("3D000"))).toBe(false); // database does not exist
    expect(isStatementError(new Error("Connection terminated unexpectedly"))).toBe(false);
    expect(isStatementError(Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" }))).toBe(
      false,
    );
  });
});

describe("isConnectionError", () => {
  it("is true when the database could not be reached or dropped the connection, however wrapped", () => {
    expect(isConnectionError(new Error("Connection terminated unexpectedly"))).toBe(true);
    expect(
      isConnectionError(
        Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
      ),
    ).toBe(true);
    expect(isConnectionError(reported("57P01"))).toBe(true);
    expect(
      isConnectionError(Object.assign(new Error("Can't reach database server"), { code: "P1001" })),
    ).toBe(true);
    expect(
      isConnectionError(
        new Error("query failed", { cause: new Error("Connection terminated unexpectedly") }),
      ),
    ).toBe(true);
    // A restarting cluster, as Prisma reports it (the SQLSTATE only in the message).
    expect(
      isConnectionError(
        new Error("Database error. Code: `57P03`. Message: `the database system is starting up`"),
      ),
    ).toBe(true);
    expect(
      isConnectionError(Object.assign(new Error("connect ENOENT /tmp/.s.PGSQL.5432"), { code: "ENOENT" })),
    ).toBe(true);
  });

  it("is false for a statement PostgreSQL refused, and for anything else", () => {
    expect(isConnectionError(reported("23503"))).toBe(false);
    expect(isConnectionError(new Error("Database error. Code: `23505`. Message: `duplicate key`"))).toBe(
      false,
    );
    expect(isConnectionError(new TypeError("Cannot read properties of undefined"))).toBe(false);
    expect(isConnectionError(null)).toBe(false);
  });
});
