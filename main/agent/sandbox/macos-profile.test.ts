import { expect, test } from "vitest";
import { SANDBOX_READONLY_PATHS } from "../../../app/agent/protected-paths";
import { sandboxExecArgv, sbplString, seatbeltProfile } from "./macos-profile";

const plan = {
  workspace: "/Users/me/proj",
  home: "/Users/me",
  tmpDir: "/private/var/folders/xy/T/m2d-run-1",
  network: false,
  protectedPaths: SANDBOX_READONLY_PATHS,
};

test("the profile denies by default and mirrors the bwrap sandbox's shape", () => {
  const profile = seatbeltProfile(plan);
  const lines = profile.split("\n");
  expect(lines.slice(0, 2)).toEqual(["(version 1)", "(deny default)"]);
  // Reads: the system minus home, shared temp and volumes; then the workspace and private temp.
  expect(profile).toContain('(allow file-read* (require-all (subpath "/")\n    (require-not (subpath "/Users/me"))\n    (require-not (subpath "/private/tmp"))');
  expect(profile).toContain('(allow file-read* (subpath "/Users/me/proj") (subpath "/private/var/folders/xy/T/m2d-run-1"))');
  // Writes: the workspace minus every protected path, and the private temp folder.
  const writes = profile.slice(profile.indexOf("(allow file-write* (require-all"));
  for (const p of SANDBOX_READONLY_PATHS) expect(writes).toContain(`(require-not (subpath "/Users/me/proj/${p}"))`);
  expect(profile).toContain('(allow file-write* (subpath "/private/var/folders/xy/T/m2d-run-1"))');
  // No rule says deny, so the order of rules cannot matter; no network rule without network.
  expect(lines.filter((l) => l.startsWith("(deny"))).toEqual(["(deny default)"]);
  expect(profile).not.toMatch(/\(allow network/);
  expect(profile.match(/\(/g)?.length).toBe(profile.match(/\)/g)?.length);
});

test("network is allowed only when enabled", () => {
  expect(seatbeltProfile({ ...plan, network: true })).toContain("(allow network*)");
});

test("paths are escaped as SBPL strings, so a folder name cannot inject rules", () => {
  expect(sbplString('a"b\\c')).toBe('"a\\"b\\\\c"');
  const evil = seatbeltProfile({ ...plan, workspace: '/Users/me/x") (allow file-write* (subpath "/' });
  expect(evil).not.toContain('(allow file-write* (subpath "/"))');
  expect(evil).toContain('(subpath "/Users/me/x\\") (allow file-write* (subpath \\"/")');
});

test("the argv runs the command through sandbox-exec with ulimit-based limits", () => {
  const argv = sandboxExecArgv({ ...plan, sandboxExec: "/usr/bin/sandbox-exec", shell: "/bin/bash", command: "npm test", memoryBytes: 1024 * 1024 * 1024, maxProcesses: 256 });
  expect(argv[0]).toBe("/usr/bin/sandbox-exec");
  expect(argv[1]).toBe("-p");
  expect(argv[2]).toBe(seatbeltProfile(plan));
  expect(argv.slice(3)).toEqual([
    "/bin/bash",
    "-c",
    'ulimit -c 0; ulimit -d 1048576 2>/dev/null; ulimit -u 256 2>/dev/null; exec /bin/bash -c "$1"',
    "m2d-sandbox",
    "npm test",
  ]);
});
