import { expect, test } from "vitest";
import { bwrapArgs } from "./bwrap-args";
import type { BwrapPlan } from "./bwrap-args";

const plan: BwrapPlan = {
  bwrap: "/usr/bin/bwrap",
  prlimit: "/usr/bin/prlimit",
  shell: "/bin/bash",
  workspace: "/home/me/proj",
  command: "npm test",
  network: false,
  memoryBytes: 4294967296,
  maxProcesses: 512,
  readOnlyInWorkspace: ["/home/me/proj/.git/config", "/home/me/proj/.git/hooks"],
  maskedFiles: ["/etc/shadow"],
  maskedDirs: ["/etc/ssh"],
  extraReadOnly: ["/home/me/.nvm"],
  disableUserns: true,
  seccompFd: 3,
  tmpfsBytes: 1048576,
  hiddenPaths: ["/home/me/proj/.m2d-data", "/home/me"],
};

test("the full argv, in the order the mounts must happen", () => {
  expect(bwrapArgs(plan)).toEqual([
    "/usr/bin/bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--unshare-user", "--disable-userns",
    "--cap-drop", "ALL", "--clearenv", "--seccomp", "3",
    "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "--size", "1048576", "--tmpfs", "/dev/shm", "--remount-ro", "/dev",
    "--size", "1048576", "--tmpfs", "/tmp", "--size", "1048576", "--tmpfs", "/var/tmp", "--size", "1048576", "--tmpfs", "/run",
    "--size", "1048576", "--tmpfs", "/home", "--size", "1048576", "--tmpfs", "/root",
    "--ro-bind", "/dev/null", "/etc/shadow",
    "--tmpfs", "/etc/ssh", "--remount-ro", "/etc/ssh",
    "--ro-bind", "/home/me/.nvm", "/home/me/.nvm",
    "--dir", "/home/agent",
    // A hidden folder that holds the workspace goes first, so that the workspace is bound over it...
    "--tmpfs", "/home/me",
    "--bind", "/home/me/proj", "/home/me/proj",
    "--remount-ro", "/home/me",
    "--ro-bind", "/home/me/proj/.git/config", "/home/me/proj/.git/config",
    "--ro-bind", "/home/me/proj/.git/hooks", "/home/me/proj/.git/hooks",
    // ...and one inside the workspace goes last, so that the workspace bind does not show it again.
    "--tmpfs", "/home/me/proj/.m2d-data", "--remount-ro", "/home/me/proj/.m2d-data",
    "--chdir", "/home/me/proj",
    "--setenv", "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "--setenv", "HOME", "/home/agent",
    "--setenv", "LANG", "C.UTF-8",
    "--setenv", "TERM", "dumb",
    "--setenv", "PWD", "/home/me/proj",
    "--setenv", "TMPDIR", "/tmp",
    "--", "/usr/bin/prlimit", "--data=4294967296", "--nproc=512", "--core=0", "--", "/bin/bash", "-c", "npm test",
  ]);
});

test("Read-only: the workspace itself is bound read-only", () => {
  const args = bwrapArgs({ ...plan, workspaceWritable: false });
  expect(args).not.toContain("--bind");
  expect(args.join(" ")).toContain("--ro-bind /home/me/proj /home/me/proj");
});

test("network is shared only when enabled; the command stays one argv element whatever it contains", () => {
  const args = bwrapArgs({ ...plan, network: true, command: "a; b && $(c) '\n", seccompFd: null, disableUserns: false });
  expect(args.slice(0, 6)).toEqual(["/usr/bin/bwrap", "--die-with-parent", "--new-session", "--unshare-all", "--share-net", "--cap-drop"]);
  expect(args).not.toContain("--seccomp");
  expect(args).not.toContain("--disable-userns");
  expect(args[args.length - 1]).toBe("a; b && $(c) '\n");
  expect(bwrapArgs(plan)).not.toContain("--share-net");
});
