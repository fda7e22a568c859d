import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HubEmulator } from "../downloads/testing/hub-emulator";
import { splitModel } from "../downloads/testing/harness";
import { databasePath } from "../paths";
import { openDatabase } from "../storage/database";
import { assertLoadable } from "../services/load-gate";

// `m2d pull` as a user runs it, against the local Hub emulator (no Hub access here).

const cli = join(import.meta.dirname, "..", "..", "dist", "main", "cli", "m2d.js");
const dataDir = mkdtempSync(join(tmpdir(), "m2d-pull-"));
let hub: HubEmulator;

beforeAll(async () => {
  hub = await HubEmulator.start();
  hub.addRepo({ repo: "unsloth/MiniMax-M2-GGUF", files: splitModel("UD-IQ1_S", 2, 400_000) });
});
afterAll(async () => {
  await hub.close();
  rmSync(dataDir, { recursive: true, force: true });
});

function pull(ref: string) {
  return new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(process.execPath, [cli, "pull", ref, "--data-dir", dataDir], { env: { ...process.env, HF_ENDPOINT: hub.endpoint } });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    child.on("exit", (code) => resolve({ code, out }));
  });
}

describe("m2d pull", () => {
  it("downloads every part, verifies it and makes it loadable; a second pull says it is already there", async () => {
    const first = await pull("hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S");
    expect(first.out).toContain("Verified and added to the library");
    expect(first.code).toBe(0);
    const part1 = join(dataDir, "models", "MiniMax-M2-UD-IQ1_S-00001-of-00002.gguf");
    expect(existsSync(part1)).toBe(true);
    expect(readFileSync(part1).subarray(0, 4).toString()).toBe("GGUF");
    const again = await pull("hf:unsloth/MiniMax-M2-GGUF:UD-IQ1_S");
    expect(again.code).not.toBe(0);
    expect(again.out).toContain("Already downloaded and verified");

    // The load gate: verified loads; the same files unverified do not.
    const db = openDatabase({ path: databasePath(dataDir) });
    expect(() => assertLoadable(db, part1)).not.toThrow();
    db.prepare("UPDATE library_models SET verified = 0").run();
    expect(() => assertLoadable(db, part1)).toThrow(expect.objectContaining({ code: "model_invalid" }));
    db.close();
  });

  it("lists the library and removes a model, saying how much space that freed", async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn(process.execPath, [cli, ...args, "--data-dir", dataDir]);
        let out = "";
        child.stdout.on("data", (c) => (out += c));
        child.stderr.on("data", (c) => (out += c));
        child.on("exit", (code) => resolve({ code, out }));
      });
    expect((await run(["models"])).out).toMatch(/unsloth\/MiniMax-M2-GGUF\s+UD-IQ1_S/);
    const removed = await run(["rm", "unsloth/MiniMax-M2-GGUF:UD-IQ1_S"]);
    expect(removed.out).toContain("freed 800.0 KB");
    expect(existsSync(join(dataDir, "models", "MiniMax-M2-UD-IQ1_S-00001-of-00002.gguf"))).toBe(false);
    expect((await run(["models"])).out).toContain("The library is empty");
  });

  it("reports a gated repo with the license message", async () => {
    hub.addRepo({ repo: "gated/M2-GGUF", files: splitModel("Q4_K_M", 1, 100_000), gated: true });
    const result = await pull("hf:gated/M2-GGUF:Q4_K_M");
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/license/i);
  });
});
