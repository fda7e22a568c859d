import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { dataLockPath } from "../storage/data-lock";

// The built CLI as a user runs it: a real `m2d serve` owns a real data folder; every other command that would
// open that folder refuses, naming the owner, and exits non-zero.

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const dataDir = mkdtempSync(join(tmpdir(), "m2d-owner-"));
const m2d = (args: string[]) => spawnSync(process.execPath, [cli, ...args, "--data-dir", dataDir], { encoding: "utf8", env: TEST_ENGINE_ENV, timeout: 60_000 });

let serve: ChildProcessWithoutNullStreams;
let origin: string;
beforeAll(async () => {
  serve = spawn(process.execPath, [cli, "serve", "--data-dir", dataDir], { env: TEST_ENGINE_ENV });
  origin = await new Promise<string>((resolve, reject) => {
    let out = "";
    serve.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=/.exec(out);
      if (match) resolve(match[1]!);
    });
    serve.once("exit", (code) => reject(new Error(`m2d serve exited with ${code}`)));
  });
}, 60_000);
afterAll(() => {
  if (serve.exitCode === null) serve.kill("SIGKILL");
  rmSync(dataDir, { recursive: true, force: true });
});

const refusal = () =>
  new RegExp(`^m2d: M2 Desktop \\(m2d serve\\) is already running on this data folder \\(pid ${serve.pid}, started \\d{4}-[^,]+, at ${origin.replace(/\./g, "\\.")}/\\); close it or use --data-dir\\.\\n$`);

describe("a data folder with a running m2d serve", () => {
  it("refuses a second m2d serve on the same folder", () => {
    const second = m2d(["serve"]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(refusal());
    expect(second.stdout).not.toContain("serving its UI");
  });

  it("refuses m2d pull before it creates a download, and m2d models and m2d rm", () => {
    const pull = m2d(["pull", "hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]);
    expect(pull.status).toBe(1);
    expect(pull.stderr).toMatch(refusal());
    expect(existsSync(join(dataDir, "models"))).toBe(false); // no .partial written beside the host's downloads
    for (const args of [["models"], ["rm", "unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]]) {
      const result = m2d(args);
      expect(result.status, args.join(" ")).toBe(1);
      expect(result.stderr).toMatch(refusal());
    }
  });

  it("frees the folder when the host stops: the lock is gone and the next command runs", async () => {
    serve.kill("SIGTERM");
    expect(await new Promise((resolve) => serve.once("exit", resolve))).toBe(0);
    expect(existsSync(dataLockPath(dataDir))).toBe(false);
    const models = m2d(["models"]);
    expect(models.status).toBe(0);
    expect(models.stdout).toContain("The library is empty");
  });
});
