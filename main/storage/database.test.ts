import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { migrate, openDatabase, schemaVersion } from "./database";

const dirs: string[] = [];
function tempDbPath() {
  const dir = mkdtempSync(join(tmpdir(), "m2d-db-"));
  dirs.push(dir);
  return join(dir, "nested", "m2d.sqlite");
}
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe("openDatabase (real SQLite file)", () => {
  it("creates the file in WAL mode with foreign keys on and the migrations applied", () => {
    const db = openDatabase({ path: tempDbPath() });
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    expect(db.pragma("foreign_keys", { simple: true })).toBe(1);
    expect(schemaVersion(db)).toBeGreaterThanOrEqual(1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'settings'").get()).toBeTruthy();
    db.close();
  });

  it("applies only new migrations on reopen, in order", () => {
    const path = tempDbPath();
    const first = [{ version: 1, name: "a", sql: "CREATE TABLE a (x INTEGER) STRICT;" }];
    openDatabase({ path, migrations: first }).close();
    const db = openDatabase({
      path,
      migrations: [...first, { version: 2, name: "b", sql: "INSERT INTO a VALUES (7);" }],
    });
    expect(db.prepare("SELECT x FROM a").pluck().all()).toEqual([7]);
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it("rolls back a failing migration entirely", () => {
    const db = openDatabase({ path: tempDbPath(), migrations: [] });
    expect(() =>
      migrate(db, [{ version: 1, name: "bad", sql: "CREATE TABLE t (x INTEGER); INSERT INTO nope VALUES (1);" }]),
    ).toThrow();
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeUndefined();
    expect(schemaVersion(db)).toBe(0);
    db.close();
  });

  it("refuses a database written by a newer schema with a typed error", () => {
    const path = tempDbPath();
    openDatabase({ path, migrations: [{ version: 9, name: "future", sql: "SELECT 1;" }] }).close();
    expect(() => openDatabase({ path, migrations: [{ version: 1, name: "a", sql: "SELECT 1;" }] })).toThrow(
      expect.objectContaining({ code: "storage" }),
    );
  });
});
