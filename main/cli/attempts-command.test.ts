import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { databasePath } from "../paths";
import { openDatabase } from "../storage/database";
import { AttemptsStore } from "../agent/attempts/store";

// The built CLI's `m2d agent --attempts N` on the scripted "edit" model, the real engine and a real git repo; with
// no terminal (detached, stdin empty) it never asks, and --apply best applies without asking.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const env = { ...TEST_ENGINE_ENV, FORCE_COLOR: undefined, NO_COLOR: undefined, M2D_DATA_DIR: undefined };
/** Outside /tmp, which the sandbox hides behind its own tmpfs (the test command must see the copy). */
const scratch = mkdtempSync(join(existsWritable("/var/cache") ? "/var/cache" : process.cwd(), "m2d-cli-attempts-"));
let model: string;

function existsWritable(dir: string): boolean {
  try {
    rmSync(mkdtempSync(join(dir, "m2d-probe-")), { recursive: true });
    return true;
  } catch {
    return false;
  }
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd, env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" } }).toString();

function repo(name: string): string {
  const dir = mkdtempSync(join(scratch, `${name}-`));
  writeFileSync(join(dir, "README.md"), "# Demo\n");
  git(dir, "init", "-q");
  git(dir, "add", ".");
  git(dir, "commit", "-q", "-m", "init");
  return dir;
}

/** In a new session (setsid): no controlling terminal, so /dev/tty cannot be opened either. */
const m2d = (args: string[]) => spawnSync("setsid", ["--wait", process.execPath, cli, ...args], { input: "", encoding: "utf8", env, timeout: 150_000 });

beforeAll(async () => {
  model = await ensureTestModel("edit");
}, 120_000);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("m2d agent --attempts", () => {
  const common = (workspace: string, dataDir: string) => ["agent", "--workspace", workspace, "--model", model, "--mode", "auto-edit", "--gpu", "cpu", "--ctx", "8192", "--data-dir", dataDir, "--attempts", "2", "--test-command", "test -f README.md"];

  it("prints each attempt's progress and the ranking table; with no terminal it does not apply and says how to later", () => {
    const workspace = repo("ask");
    const dataDir = mkdtempSync(join(scratch, "data-"));
    const r = m2d([...common(workspace, dataDir), "Make a notes file."]);
    expect(r.status, r.stderr).toBe(0);
    for (const i of [1, 2]) {
      expect(r.stdout).toContain(`attempt ${i}/2: running`);
      expect(r.stdout).toMatch(new RegExp(`attempt ${i}/2: done, \\d+ file\\(s\\) changed, tests 1/1`));
    }
    expect(r.stdout).toMatch(/^rank +attempt +tests +verifier +reasons$/m);
    const runId = /^run (\S+): ranked, tests: test -f README\.md$/m.exec(r.stdout)?.[1];
    expect(runId).toBeDefined();
    expect(r.stdout).toContain(`No terminal to ask: not applied. The run (${runId}) stays under Best-of-N runs in the app with this data folder (${dataDir})`);
    // Not applied: the run is still ranked in the data folder, its copies kept for the app.
    const db = openDatabase({ path: databasePath(dataDir) });
    try {
      expect(new AttemptsStore(db).get(runId!).state).toBe("ranked");
    } finally {
      db.close();
    }
    expect(readFileSync(join(workspace, "README.md"), "utf8")).toBe("# Demo\n");
    expect(git(workspace, "status", "--porcelain")).toBe("");
  }, 180_000);

  it("--apply best applies the top-ranked attempt without asking and removes the worktrees; bad values are refused", () => {
    const workspace = repo("best");
    const dataDir = mkdtempSync(join(scratch, "data-"));
    const r = m2d([...common(workspace, dataDir), "--apply", "best", "Make a notes file."]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^1 +[12] +1\/1/m);
    expect(r.stdout).toMatch(/^Applied attempt [12]: /m);
    expect(git(workspace, "worktree", "list").split("\n").filter(Boolean)).toHaveLength(1);

    for (const [flag, value, message] of [
      ["--attempts", "9", "--attempts must be an integer from 2 to 8"],
      ["--isolation", "tarball", "--isolation must be copy or worktree"],
      ["--apply", "first", '--apply takes "best"'],
    ] as const) {
      const args = ["agent", "--workspace", workspace, "--model", model, "--data-dir", dataDir, "--attempts", "2", flag, value, "x"];
      const bad = m2d(args);
      expect(bad.status).not.toBe(0);
      expect(bad.stderr).toContain(message);
    }
  }, 180_000);
});
