import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { logFilePath } from "../paths";

// A real process owning the log, as the app and `m2d serve` do: the module is bundled as the build would, and the
// child's uncaught failures must land in its data folder's log.
const scratch = mkdtempSync(join(tmpdir(), "m2d-uncaught-"));
const bundle = join(scratch, "app-log.mjs");
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
beforeAll(async () => {
  await build({ entryPoints: [join(import.meta.dirname, "app-log.ts")], bundle: true, platform: "node", format: "esm", outfile: bundle, logLevel: "silent" });
});

function runOwner(dataDir: string, body: string) {
  const script = join(scratch, `owner-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(script, `import { openAppLog, logUncaughtErrors } from ${JSON.stringify(bundle)};
const { log } = openAppLog(process.argv[2], { echo: false });
logUncaughtErrors(log);
${body}`);
  return spawnSync(process.execPath, [script, dataDir], { encoding: "utf8", timeout: 20_000 });
}

describe("uncaught failures in the process that owns the backend", () => {
  it("an unawaited rejection is logged with its stack and the process carries on", () => {
    const dataDir = join(scratch, "rejection");
    const result = runOwner(dataDir, `Promise.reject(new RangeError("stray promise"));
setTimeout(() => { console.log("still running"); }, 50);`);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("still running");
    expect(readFileSync(logFilePath(dataDir), "utf8")).toMatch(/\[error\] Unhandled rejection: RangeError: stray promise\n {4}at /);
  });

  it("an uncaught throw still ends the process, and its stack is in the log first", () => {
    const dataDir = join(scratch, "throw");
    const result = runOwner(dataDir, `setTimeout(() => { throw new TypeError("bug in a timer"); }, 10);`);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("bug in a timer");
    expect(readFileSync(logFilePath(dataDir), "utf8")).toMatch(/\[error\] Uncaught exception: TypeError: bug in a timer\n {4}at /);
  });
});
