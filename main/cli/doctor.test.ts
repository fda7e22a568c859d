import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { databasePath, logFilePath } from "../paths";
import { openDatabase, schemaVersion } from "../storage/database";
import { writeSetting } from "../storage/settings-table";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";

// The built CLI as a user runs it, on a data folder no app is running on: a real database, a real log, the real engine.
const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const scratch = mkdtempSync(join(tmpdir(), "m2d-doctor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const doctor = (dataDir: string, ...flags: string[]) =>
  spawnSync(process.execPath, [cli, "doctor", "--data-dir", dataDir, ...flags], { encoding: "utf8", env: TEST_ENGINE_ENV, timeout: 120_000 });

describe("m2d doctor", () => {
  it("prints every section, the probed backend, the schema and the recent errors with their stacks, secrets redacted", () => {
    const dataDir = join(scratch, "used");
    const db = openDatabase({ path: databasePath(dataDir) });
    writeSetting(db, "hub", { token: "plain-hub-secret-42" });
    const schema = schemaVersion(db);
    db.close();
    mkdirSync(join(dataDir, "logs"));
    appendFileSync(
      logFilePath(dataDir),
      [
        "2026-01-01T00:00:00.000Z [info] Marked 1 unfinished answer(s) as interrupted.",
        "2026-01-01T00:00:01.000Z [error] chat.send failed unexpectedly: TypeError: boom",
        "    at send (/app/main/services/chat-service.ts:10:5)",
        // Written before the token was a setting, so the file still holds it: the report must not.
        "2026-01-01T00:00:02.000Z [warn] Hub refused plain-hub-secret-42",
        "",
      ].join("\n"),
    );

    const result = doctor(dataDir);
    expect(result.status, result.stderr).toBe(0);
    const out = result.stdout;
    for (const title of ["App", "Machine", "Engine", "Data", "Model", "Recent errors (1)", "Log (last 4 lines"]) expect(out).toContain(`== ${title}`);
    expect(out).toMatch(/M2 Desktop \d+\.\d+\.\d+\nNode \d+\.\d+\.\d+/);
    expect(out).toMatch(/node-llama-cpp \d+\.\d+\.\d+/);
    expect(out).toMatch(/Platform: \w+ \w+/);
    expect(out).toMatch(/Backend: (cpu|cuda|vulkan|metal) · \d+ math threads/);
    expect(out).toContain(`Database: ${databasePath(dataDir)} (schema ${schema})`);
    expect(out).toMatch(/== Recent errors \(1\) ==\n\S+ \[error\] chat\.send failed unexpectedly: TypeError: boom\n {4}at send/);
    expect(out).not.toContain("plain-hub-secret-42");
    expect(out).toContain("Hub refused [redacted]");
  }, 120_000);

  it("works on a folder the app never used, changes nothing there, and can skip the engine", () => {
    const dataDir = join(scratch, "fresh");
    const result = doctor(dataDir, "--no-engine");
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("(schema none: no database yet)");
    expect(result.stdout).toContain("Backend: unavailable (not probed: --no-engine)");
    expect(result.stdout).toContain("== Recent errors (0) ==\nnone in the recent log");
    expect(existsSync(dataDir)).toBe(false); // not even created
  });

  it("is listed by m2d help", () => {
    const result = spawnSync(process.execPath, [cli, "help"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ {2}doctor +print versions/m);
  });
});
