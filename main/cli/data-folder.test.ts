import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_ENGINE_ENV } from "../../testing/engine-harness";
import { HubEmulator } from "../downloads/testing/hub-emulator";
import { splitModel } from "../downloads/testing/harness";
import { acquireDataLock, dataLockPath } from "../storage/data-lock";

// The built CLI as a user runs it: a real `m2d serve` owns a real data folder. `m2d pull`, `models` and `rm` go to
// it over its WebSocket; a second `serve`, or any of them where the owner is no host, refuses, naming the owner.
// The Hub is the local emulator (no Hub access here).

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const dataDir = mkdtempSync(join(tmpdir(), "m2d-owner-"));
let hub: HubEmulator;
let env: NodeJS.ProcessEnv;
const run = (args: string[], dir = dataDir) => spawnSync(process.execPath, [cli, ...args, "--data-dir", dir], { encoding: "utf8", env, timeout: 60_000 });
// Async, so the test process stays free to serve the Hub emulator while a pull runs.
const runAsync = (args: string[]) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, ...args, "--data-dir", dataDir], { env });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("exit", (status) => resolve({ status, stdout, stderr }));
  });

let serve: ChildProcessWithoutNullStreams;
let origin: string;
beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.addRepo({ repo: "unsloth/MiniMax-M2-GGUF", files: splitModel("UD-IQ1_S", 2, 300_000) });
  env = { ...TEST_ENGINE_ENV, HF_ENDPOINT: hub.endpoint };
  serve = spawn(process.execPath, [cli, "serve", "--data-dir", dataDir], { env });
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
afterAll(async () => {
  if (serve.exitCode === null) serve.kill("SIGKILL");
  await hub.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const refusal = () =>
  new RegExp(`^m2d: M2 Desktop \\(m2d serve\\) is already running on this data folder \\(pid ${serve.pid}, started \\d{4}-[^,]+, at ${origin.replace(/\./g, "\\.")}/\\); close it or use --data-dir\\.\\n$`);

describe("a data folder with a running m2d serve", () => {
  it("refuses a second m2d serve on the same folder", () => {
    const second = run(["serve"]);
    expect(second.status).toBe(1);
    expect(second.stderr).toMatch(refusal());
    expect(second.stdout).not.toContain("serving its UI");
  });

  it("m2d doctor only reads, so it runs beside the host, and names it", () => {
    const doctor = run(["doctor", "--no-engine"]);
    expect(doctor.status, doctor.stderr).toBe(0);
    expect(doctor.stdout).toContain(`Owner: M2 Desktop (m2d serve), pid ${serve.pid}, since `);
    expect(doctor.stdout).toContain(`, at ${origin}/\n`);
  });

  it("m2d pull has the running host download (its downloader is the folder's only writer)", async () => {
    const pull = await runAsync(["pull", "hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]);
    expect(pull.stderr).toContain(`in M2 Desktop (m2d serve) (pid ${serve.pid})`);
    expect(pull.stdout).toContain("Verified and added to the library");
    expect(pull.status).toBe(0);
    expect(existsSync(join(dataDir, "models", "MiniMax-M2-UD-IQ1_S-00002-of-00002.gguf"))).toBe(true);
    // Pulled again, the host answers as it would in the app.
    const again = await runAsync(["pull", "hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("Already downloaded and verified");
  });

  it("m2d models and m2d rm ask the running host; m2d pull --dir (its own models folder) is refused", async () => {
    const models = await runAsync(["models"]);
    expect(models.status).toBe(0);
    expect(models.stdout).toMatch(/unsloth\/MiniMax-M2-GGUF\s+UD-IQ1_S\s+600\.0 KB\s+2 file\(s\)\s+ready/);
    const dir = run(["pull", "hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S", "--dir", join(dataDir, "elsewhere")]);
    expect(dir.status).toBe(1);
    expect(dir.stderr).toMatch(refusal());
    expect(existsSync(join(dataDir, "elsewhere"))).toBe(false);
    const removed = await runAsync(["rm", "unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]);
    expect(removed.stdout).toContain("Removed unsloth/MiniMax-M2-GGUF:UD-IQ1_S: freed 600.0 KB.");
    expect(existsSync(join(dataDir, "models", "MiniMax-M2-UD-IQ1_S-00001-of-00002.gguf"))).toBe(false);
    expect((await runAsync(["models"])).stdout).toContain("The library is empty");
  });

  it("refuses m2d pull, models, rm, serve and agent on a folder whose owner is no host, before they write anything", () => {
    const other = mkdtempSync(join(tmpdir(), "m2d-owner-cli-"));
    const lock = acquireDataLock(other, "cli"); // this test process holds it, as a running `m2d pull` would
    try {
      const agent = ["agent", "--workspace", other, "--model", join(other, "m.gguf"), "list the files"];
      for (const args of [["pull", "hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S"], ["models"], ["rm", "unsloth/MiniMax-M2-GGUF:UD-IQ1_S"], ["serve"], agent]) {
        const result = run(args, other);
        expect(result.status, args.join(" ")).toBe(1);
        expect(result.stderr).toMatch(new RegExp(`^m2d: An m2d command is already running on this data folder \\(pid ${process.pid}, started [^)]+\\); close it or use --data-dir\\.\\n$`));
      }
      expect(existsSync(join(other, "models"))).toBe(false);
    } finally {
      lock.release();
      rmSync(other, { recursive: true, force: true });
    }
  });

  it("refuses, naming the host, when the host does not answer (stopped with SIGSTOP)", async () => {
    serve.kill("SIGSTOP");
    try {
      const started = Date.now();
      const models = await runAsync(["models"]);
      expect(models.status).toBe(1);
      expect(models.stderr).toMatch(refusal());
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      serve.kill("SIGCONT");
    }
  }, 30_000);

  it("frees the folder when the host stops: the lock is gone and the next command runs", async () => {
    serve.kill("SIGTERM");
    expect(await new Promise((resolve) => serve.once("exit", resolve))).toBe(0);
    expect(existsSync(dataLockPath(dataDir))).toBe(false);
    const models = run(["models"]);
    expect(models.status).toBe(0);
    expect(models.stdout).toContain("The library is empty"); // read from the database here, the host gone
    expect(run(["doctor", "--no-engine"]).stdout).toContain("Owner: none running");
  });
});
