import { describe, expect, it } from "vitest";
import { AppError } from "./errors";

// better-sqlite3's SqliteError: an Error with SQLite's extended result code on `code`.
const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("SQLite failures are typed storage errors", () => {
  it.each([
    ["SQLITE_FULL", "disk_full"],
    ["SQLITE_IOERR_WRITE", "io_error"],
    ["SQLITE_READONLY_DBMOVED", "read_only"],
    ["SQLITE_BUSY", "busy"],
  ])("%s → storage / %s", (code, reason) => {
    const error = AppError.from(sqliteError(code, "database or disk is full"));
    expect(error).toMatchObject({ code: "storage", details: { reason, sqliteCode: code } });
    expect(error.message).toContain("database or disk is full");
  });

  it("other SQLite codes and other errors stay internal", () => {
    expect(AppError.from(sqliteError("SQLITE_CONSTRAINT_UNIQUE", "UNIQUE constraint failed")).code).toBe("internal");
    expect(AppError.from(Object.assign(new Error("x"), { code: "ENOENT" })).code).toBe("internal");
    expect(AppError.from("SQLITE_FULL").code).toBe("internal");
  });
});
