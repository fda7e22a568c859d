import { fstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { procFdUsable } from "../fs";
import { FIRST_BIND_FD, openBindHandles } from "./bind-handles";
import { bwrapArgs } from "./bwrap-args";

let root: string;
let ws: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-bind-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, ".git", "hooks"), { recursive: true });
  writeFileSync(join(ws, ".git", "config"), "[core]\n");
  mkdirSync(join(root, "outside"));
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!procFdUsable())("read-only mounts by descriptor", () => {
  test("attack: .git/hooks swapped for a symlink after the plan → the descriptor still is the folder that was checked", () => {
    const hooks = join(ws, ".git", "hooks");
    const checked = statSync(hooks);
    const handles = openBindHandles(ws, [hooks, join(ws, ".git", "config")]);
    try {
      renameSync(hooks, join(ws, ".git", "hooks-aside"));
      symlinkSync(join(root, "outside"), hooks);
      const fd = handles.fds[0] as number;
      expect(fstatSync(fd)).toMatchObject({ dev: checked.dev, ino: checked.ino });
      expect(handles.childFds.get(hooks)).toBe(FIRST_BIND_FD);
      expect(handles.childFds.get(join(ws, ".git", "config"))).toBe(FIRST_BIND_FD + 1);
    } finally {
      handles.close();
    }
  });

  test("attack: a path that already is a symlink, or goes through one, or lies outside → no descriptor, so no mount", () => {
    symlinkSync(join(root, "outside"), join(ws, "link"));
    mkdirSync(join(root, "outside", "hooks"));
    const handles = openBindHandles(ws, [join(ws, "link"), join(ws, "link", "hooks"), join(root, "outside"), join(ws, "missing")]);
    try {
      expect(handles.fds).toEqual([]);
    } finally {
      handles.close();
    }
  });

  test("bwrap mounts what has a descriptor with --ro-bind-fd, the rest by path", () => {
    const args = bwrapArgs({
      bwrap: "bwrap", prlimit: "prlimit", shell: "/bin/bash", workspace: ws, command: "true", network: false,
      memoryBytes: 1, maxProcesses: 1, readOnlyInWorkspace: [`${ws}/.git/config`, `${ws}/.git/hooks`],
      readOnlyFds: new Map([[`${ws}/.git/hooks`, 4]]), maskedFiles: [], maskedDirs: [], extraReadOnly: [], disableUserns: false, seccompFd: null,
    }).join(" ");
    expect(args).toContain(`--ro-bind ${ws}/.git/config ${ws}/.git/config`);
    expect(args).toContain(`--ro-bind-fd 4 ${ws}/.git/hooks`);
  });
});
