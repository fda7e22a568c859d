import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { detectSandbox } from "./detect";
import { hideFromSandboxes } from "./private-paths";
import { runSandboxed } from "./runner";
import { visibleScratchDir } from "./testing/scratch";
import type { RunRequest, RunResult } from "./types";

/**
 * Attacks on what the sandbox shares with the host below the file system: the kernel's syscall surface
 * (io_uring), memory across processes and tmpfs, descriptors inherited from the app, and the app's own
 * data dir. Each asserts the attack was contained and that the same command shape still works where it
 * is legitimate. Names read "attack: <case> → <expected outcome>".
 */

const cap = await detectSandbox();
const IO_URING_CONNECT = join(import.meta.dirname, "testing", "io_uring_connect.py");

let root: string;
let ws: string;
let visible: string;

const run = (command: string, extra: Partial<RunRequest> = {}): Promise<RunResult> =>
  runSandboxed({ command, workspace: ws, ...extra, limits: { timeoutMs: 30_000, ...extra.limits } }, cap);

function listen(server: Server, path: string): Promise<void> {
  return new Promise((resolve) => server.listen(path, resolve));
}

describe.skipIf(cap.kind !== "bwrap")("sandbox resource and kernel attacks (bubblewrap)", () => {
  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), "m2d-resource-"));
    ws = join(root, "ws");
    mkdirSync(ws);
    visible = visibleScratchDir();
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
    rmSync(visible, { recursive: true, force: true });
  });

  test("attack: io_uring IORING_OP_SOCKET + connect() to a host unix socket → io_uring absent, no connection", async (ctx) => {
    const path = join(visible, "svc.sock");
    const received: string[] = [];
    const server = createServer((socket) => socket.on("data", (data) => received.push(data.toString())));
    await listen(server, path);
    try {
      // On the host the same script gets through: this kernel has the hole the filter must close.
      const host = spawnSync("python3", [IO_URING_CONNECT, path], { encoding: "utf8" });
      if (host.stdout.trim() !== "connected") ctx.skip(`this kernel cannot run the attack at all (${host.stdout.trim() || host.stderr.trim()})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(received).toEqual(["hello"]);
      received.length = 0;
      // Into the workspace: the checkout itself may sit under /tmp (CI clones), which the sandbox hides.
      copyFileSync(IO_URING_CONNECT, join(ws, "io_uring_connect.py"));
      for (const network of [false, true]) {
        const result = await run(`python3 io_uring_connect.py ${path}`, { network });
        expect(result.stdout.trim(), `network ${network}`).toBe("refused 38"); // ENOSYS, as on a kernel without io_uring
      }
      expect(received).toEqual([]);
    } finally {
      server.close();
    }
  });

  test("attack: sockets of other families (vsock, packet, alg, unix) → refused; inet still works", async () => {
    const script = `
import socket
for name, family in [("unix", 1), ("packet", 17), ("alg", 38), ("vsock", 40)]:
    try:
        socket.socket(family, socket.SOCK_STREAM if family != 17 else socket.SOCK_RAW)
        print(name, "created")
    except OSError as e:
        print(name, "refused", e.errno)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); print("inet ok")
a, b = socket.socketpair(); a.send(b"x"); print("socketpair", b.recv(1).decode())
`;
    const result = await run(`python3 -c '${script}'`);
    expect(result.stdout).not.toContain("created");
    expect(result.stdout).toMatch(/unix refused 1\npacket refused 1\nalg refused 1\nvsock refused 1\ninet ok\nsocketpair x\n/);
  });

  test("attack: 4 processes of 200 MiB each under a 256 MiB run limit → killed at the run's memory.max", async (ctx) => {
    if (cap.kind !== "bwrap" || !cap.cgroupMemoryParent) ctx.skip("no memory cgroup is delegated on this machine: the run's memory is capped per process only");
    const hold = `python3 -c 'import time; b = b"x" * (200 << 20); print("held", flush=True); time.sleep(4)'`;
    const result = await run(`for i in 1 2 3 4; do ${hold} & done; wait; echo done`, { limits: { memoryBytes: 256 << 20, timeoutMs: 30_000 } });
    const held = result.stdout.split("\n").filter((l) => l === "held").length;
    expect(held).toBeLessThan(2);
    expect(result.warnings.join("\n")).toMatch(/memory limit \(0\.3 GiB\)|memory limit/);
    expect(result.warnings.join("\n")).toContain("the run's memory limit (256 MiB)");
    // The same processes one after another stay under the limit.
    const sequential = await run(`for i in 1 2; do python3 -c 'b = b"x" * (100 << 20); print("held")'; done`, { limits: { memoryBytes: 256 << 20 } });
    expect(sequential.stdout).toBe("held\nheld\n");
  }, 60_000);

  test("attack: fill /tmp, /dev/shm, home and /dev with zeros → each tmpfs stops at its size, /dev is read-only", async () => {
    const limits = { tmpfsBytes: 32 << 20 };
    const fill = (dir: string) => `head -c 100M /dev/zero > ${dir}/fill; echo ${dir} $(du -m ${dir}/fill | cut -f1)`;
    const result = await run([fill("/tmp"), fill("/dev/shm"), fill("$HOME"), fill("/var/tmp"), "echo x > /dev/planted"].join("; "), { limits });
    for (const dir of ["/tmp", "/dev/shm", "/home/agent", "/var/tmp"]) {
      const mib = Number(new RegExp(`^${dir} (\\d+)$`, "m").exec(result.stdout)?.[1]);
      expect(mib, dir).toBeLessThanOrEqual(32);
    }
    expect(result.stderr).toMatch(/No space left on device/);
    expect(result.stderr).toMatch(/\/dev\/planted: Read-only file system/);
  });

  test("attack: tmpfs pages outlive their writer → still charged to the run's memory.max", async (ctx) => {
    if (cap.kind !== "bwrap" || !cap.cgroupMemoryParent) ctx.skip("no memory cgroup is delegated on this machine");
    const result = await run("head -c 400M /dev/zero > /tmp/fill; du -m /tmp/fill | cut -f1", { limits: { memoryBytes: 128 << 20, tmpfsBytes: 1 << 30 } });
    const mib = Number(/^(\d+)$/m.exec(result.stdout)?.[1] ?? "0");
    expect(mib).toBeLessThan(140);
  }, 60_000);

  test("attack: descriptors the app inherited (7, 12, 200 open on a secret) → closed before the sandbox starts", async () => {
    const secret = join(visible, "inherited-secret.txt");
    writeFileSync(secret, "inherited-secret-contents\n");
    // The descriptors have to be in the calling process itself, so the runner runs in a child that bash
    // starts with them open (no O_CLOEXEC: exactly what an app launched by a careless parent inherits).
    const bundle = join(root, "run-one.mjs");
    await build({ entryPoints: [join(import.meta.dirname, "testing", "run-one.ts")], bundle: true, platform: "node", format: "esm", outfile: bundle, logLevel: "silent" });
    const request = JSON.stringify({ workspace: ws, command: "ls /proc/self/fd | sort -n | tr '\\n' ' '; echo; cat /proc/self/fd/7 /proc/self/fd/12 /proc/self/fd/200; cat <&7; cat <&12" });
    const child = spawnSync("bash", ["-c", `exec 7<"$1" 12<"$1" 200<"$1"; exec "$2" "$3" "$4"`, "m2d", secret, process.execPath, bundle, request], { encoding: "utf8" });
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout) as RunResult;
    expect(result.stdout + result.stderr).not.toContain("inherited-secret-contents");
    // 0-2, plus the descriptor ls itself opens for /proc/self/fd.
    expect(result.stdout.split("\n")[0]?.trim().split(" ").map(Number)).toEqual([0, 1, 2, 3]);
    expect(result.stderr).toMatch(/\/proc\/self\/fd\/7: No such file/);
  }, 60_000);

  test("attack: read saved credentials as host root (/var/backups, /etc/ssl/private, shadow) → masked", async () => {
    const planted = ["/var/backups", "/etc/ssl/private"].filter((dir) => existsSync(dir)).map((dir) => join(dir, `m2d-attack-${process.pid}`));
    for (const file of planted) writeFileSync(file, "credential-secret\n", { mode: 0o600 });
    try {
      const result = await run(`cat ${planted.join(" ")} /etc/shadow /etc/gshadow`);
      expect(result.stdout).not.toMatch(/credential-secret|root:/);
      const listing = await run("ls -A /var/backups /etc/ssl/private");
      expect(listing.stdout).not.toContain("m2d-attack-");
    } finally {
      for (const file of planted) rmSync(file, { force: true });
    }
  });

  test("attack: read the app's data dir (m2d.sqlite, checkpoints) inside the workspace, beside it, at a visible path → hidden everywhere", async () => {
    const inside = join(ws, ".m2d-data");
    const outsideVisible = join(visible, "data");
    const holder = join(root, "holder");
    const nestedWs = join(holder, "workspaces", "ws2");
    for (const dir of [inside, outsideVisible, holder]) {
      mkdirSync(join(dir, "checkpoints"), { recursive: true });
      writeFileSync(join(dir, "m2d.sqlite"), "SQLite format 3\0hub-token-secret");
      hideFromSandboxes(dir);
    }
    mkdirSync(nestedWs, { recursive: true });
    writeFileSync(join(nestedWs, "own.txt"), "own file\n");
    const reads = (dir: string) => `cat ${dir}/m2d.sqlite; ls -A ${dir}; touch ${dir}/planted`;
    const result = await run([reads(inside), reads(outsideVisible)].join("; "));
    expect(result.stdout + result.stderr).not.toContain("hub-token-secret");
    expect(result.stdout).not.toContain("checkpoints");
    expect(result.stderr).toMatch(/Read-only file system/);
    expect(readFileSync(join(inside, "m2d.sqlite"), "utf8")).toContain("hub-token-secret");
    // A workspace that sits inside the data dir is still there; the rest of the data dir is not.
    const nested = await runSandboxed({ command: `cat own.txt; ls -A ${holder}; cat ${holder}/m2d.sqlite`, workspace: nestedWs }, cap);
    expect(nested.stdout).toContain("own file\n");
    expect(nested.stdout + nested.stderr).not.toContain("hub-token-secret");
    expect(nested.stdout).not.toContain("checkpoints");
  });
});

if (cap.kind !== "bwrap") {
  test.skip(`sandbox resource and kernel attacks: no usable bubblewrap here (${cap.kind === "none" ? cap.reason : cap.kind})`, () => undefined);
}
