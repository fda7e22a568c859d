import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromiumJail } from "./chromium-sandbox";
import type { ChromiumJail } from "./chromium-sandbox";
import { detectSandbox } from "./detect";

const sandbox = await detectSandbox();
const unshare = await chromiumJail({ sandbox: { kind: "none", reason: "testing unshare" } }).catch(() => null);

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-chromium-jail-"));
  mkdirSync(join(root, "workspace"));
  writeFileSync(join(root, "workspace/marker"), "workspace file");
  mkdirSync(join(root, "profile"));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs a shell script in the jail the way the checker runs Chromium: fd 4 is a pipe back to us. */
async function inJail(jail: ChromiumJail, script: string, whileRunning?: (argv: string[]) => void) {
  const wrapped = await jail.wrap(["/bin/sh", "-c", script], { profile: join(root, "profile"), hidden: [join(root, "workspace")] });
  const child = spawn(wrapped.argv[0]!, wrapped.argv.slice(1), { stdio: ["ignore", "pipe", "pipe", "pipe", "pipe"], env: wrapped.env });
  let out = "";
  let piped = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  (child.stdio[4] as Readable).on("data", (chunk: Buffer) => (piped += chunk.toString()));
  if (whileRunning) setTimeout(() => whileRunning(wrapped.argv), 500);
  const code = await new Promise((resolve) => child.on("close", resolve));
  await wrapped.release?.();
  return { code, out, piped };
}

/** Lists the network interfaces it sees, tries the (hidden) workspace, writes its profile and fd 4. */
function script(): string {
  return `WS=${join(root, "workspace")}; PROFILE=${join(root, "profile")}
grep -v -e Inter -e face /proc/net/dev | cut -d: -f1 | tr -d ' '
cat "$WS/marker" 2>/dev/null && echo WORKSPACE-VISIBLE
echo written > "$PROFILE/probe" && echo profile-writable
echo through-fd4 >&4
sleep 1`;
}

describe.skipIf(sandbox.kind !== "bwrap")("check_page's bubblewrap jail", () => {
  test("attack: the browser looks for a network, the workspace and a way out → only loopback, no workspace; its profile and DevTools pipe work, inside a memory cgroup", async () => {
    const jail = await chromiumJail();
    expect(jail.kind).toBe("bwrap");
    let procs: string[] = [];
    const { out, piped } = await inJail(jail, script(), (argv) => {
      // The cgroup wrapper's argv: sh -c JOIN m2d-chromium <n> <procs files…> bwrap…
      const n = Number(argv[4]);
      procs = argv.slice(5, 5 + n).map((file) => readFileSync(file, "utf8").trim());
    });
    expect(out.trim().split("\n")).toEqual(["lo", "profile-writable"]);
    expect(piped).toBe("through-fd4\n");
    expect(readFileSync(join(root, "profile/probe"), "utf8")).toBe("written\n");
    // Where this machine delegates cgroups, the jail runs inside the run cgroup (and never without it).
    const cgroups = sandbox.kind === "bwrap" && sandbox.processLimit.startsWith("cgroup");
    expect(procs.length > 0).toBe(cgroups);
    for (const list of procs) expect(list, "every cgroup of the jail holds its processes").not.toBe("");
  }, 30_000);
});

describe.skipIf(unshare === null)("check_page's `unshare -n` jail (where bwrap cannot run)", () => {
  test("attack: the browser looks for a network → only loopback; the DevTools pipe still works", async () => {
    const { out, piped } = await inJail(unshare!, script());
    expect(out.trim().split("\n")[0]).toBe("lo");
    expect(out).toContain("profile-writable");
    expect(piped).toBe("through-fd4\n");
  }, 30_000);
});
