import { access, mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessLimitKind } from "./types";

/**
 * A pids cgroup per run: the only process limit that binds when the sandbox runs as host root
 * (RLIMIT_NPROC exempts uid 0). cgroup v2 where the pids controller is delegated to us, else v1.
 */

export interface CgroupSupport {
  kind: Extract<ProcessLimitKind, "cgroup-v2" | "cgroup-v1">;
  parent: string;
}

interface Mount {
  point: string;
  fstype: string;
  superOptions: string[];
}

async function mounts(): Promise<Mount[]> {
  const text = await readFile("/proc/self/mountinfo", "utf8").catch(() => "");
  return text.split("\n").flatMap((line) => {
    const [left, right] = line.split(" - ");
    const point = left?.split(" ")[4];
    const [fstype, , superOptions] = right?.split(" ") ?? [];
    return point && fstype ? [{ point: unescapeMount(point), fstype, superOptions: (superOptions ?? "").split(",") }] : [];
  });
}

function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

async function ownCgroups(): Promise<Map<string, string>> {
  const text = await readFile("/proc/self/cgroup", "utf8").catch(() => "");
  const byController = new Map<string, string>();
  for (const line of text.split("\n")) {
    const match = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (match) byController.set(match[2] ?? "", match[3] ?? "/");
  }
  return byController;
}

/** Whether a child of `parent` gets a writable pids.max; the probe is removed again. */
async function probe(parent: string): Promise<boolean> {
  const dir = join(parent, `m2d-probe-${process.pid}`);
  try {
    await mkdir(dir);
  } catch {
    return false;
  }
  try {
    await writeFile(join(dir, "pids.max"), "8");
    return true;
  } catch {
    return false;
  } finally {
    await rmdir(dir).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Per-run cgroups left by a backend that died mid-run: empty by now (--die-with-parent), so removable. */
async function removeStale(parent: string): Promise<void> {
  for (const name of await readdir(parent).catch(() => [] as string[])) {
    const owner = /^m2d-run-(\d+)-\d+$/.exec(name)?.[1];
    if (owner && Number(owner) !== process.pid && !alive(Number(owner))) await rmdir(join(parent, name)).catch(() => undefined);
  }
}

export async function detectCgroup(): Promise<CgroupSupport | null> {
  const found = await findCgroup();
  if (found) await removeStale(found.parent);
  return found;
}

async function findCgroup(): Promise<CgroupSupport | null> {
  const all = await mounts();
  const own = await ownCgroups();
  const v2 = all.find((m) => m.fstype === "cgroup2");
  const v2Path = own.get("");
  if (v2 && v2Path !== undefined) {
    const parent = join(v2.point, v2Path);
    if (await probe(parent)) return { kind: "cgroup-v2", parent };
  }
  const v1 = all.find((m) => m.fstype === "cgroup" && m.superOptions.includes("pids"));
  const v1Path = [...own.entries()].find(([controllers]) => controllers.split(",").includes("pids"))?.[1];
  if (v1 && v1Path !== undefined) {
    const parent = join(v1.point, v1Path);
    if (await probe(parent)) return { kind: "cgroup-v1", parent };
  }
  return null;
}

let counter = 0;

export class RunCgroup {
  private constructor(readonly dir: string, private readonly kind: CgroupSupport["kind"]) {}

  static async create(support: CgroupSupport, maxProcesses: number): Promise<RunCgroup> {
    const dir = join(support.parent, `m2d-run-${process.pid}-${++counter}`);
    await mkdir(dir);
    await writeFile(join(dir, "pids.max"), String(maxProcesses));
    return new RunCgroup(dir, support.kind);
  }

  get procsFile(): string {
    return join(this.dir, "cgroup.procs");
  }

  async pids(): Promise<number[]> {
    const text = await readFile(this.procsFile, "utf8").catch(() => "");
    return text.split("\n").filter((l) => l !== "").map(Number);
  }

  /** Kills everything left in the cgroup, then removes it. */
  async destroy(): Promise<void> {
    const killFile = join(this.dir, "cgroup.kill");
    const canKill = this.kind === "cgroup-v2" && (await access(killFile).then(() => true, () => false));
    for (let attempt = 0; attempt < 100; attempt++) {
      const pids = await this.pids();
      if (pids.length === 0 && (await rmdir(this.dir).then(() => true, () => false))) return;
      if (canKill) await writeFile(killFile, "1").catch(() => undefined);
      for (const pid of pids) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          // already gone
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await rmdir(this.dir).catch(() => undefined);
  }
}
