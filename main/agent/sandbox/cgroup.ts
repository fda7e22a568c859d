import { access, mkdir, readdir, readFile, rmdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { ProcessLimitKind, SandboxCapability, SandboxLimits } from "./types";

/**
 * A cgroup per run: the only limits that bind the run as a whole. RLIMIT_NPROC exempts uid 0, and
 * RLIMIT_DATA caps one process at a time, so several processes, or tmpfs pages in the sandbox's /tmp,
 * could otherwise take the host's memory. pids.max and memory.max (v2) or the pids and memory
 * controllers' own hierarchies (v1), wherever they are delegated to us. tmpfs pages are charged to
 * the cgroup of the process that wrote them, so memory.max covers the sandbox's /tmp as well.
 */

export interface CgroupSupport {
  kind: Extract<ProcessLimitKind, "cgroup-v2" | "cgroup-v1">;
  /** Where per-run pids cgroups are created. */
  parent: string;
  /** Where per-run memory cgroups are created: the same folder on v2, the memory hierarchy on v1; null where not delegated. */
  memoryParent: string | null;
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

/** Whether a child of `parent` gets a writable `file`; the probe is removed again. */
async function probe(parent: string, file: string, value: string): Promise<boolean> {
  const dir = join(parent, `m2d-probe-${process.pid}`);
  try {
    await mkdir(dir);
  } catch {
    return false;
  }
  try {
    await writeFile(join(dir, file), value);
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
  if (found) {
    await removeStale(found.parent);
    if (found.memoryParent && found.memoryParent !== found.parent) await removeStale(found.memoryParent);
  }
  return found;
}

async function findCgroup(): Promise<CgroupSupport | null> {
  const all = await mounts();
  const own = await ownCgroups();
  const v2 = all.find((m) => m.fstype === "cgroup2");
  const v2Path = own.get("");
  if (v2 && v2Path !== undefined) {
    const parent = join(v2.point, v2Path);
    if (await probe(parent, "pids.max", "8")) {
      return { kind: "cgroup-v2", parent, memoryParent: (await probe(parent, "memory.max", String(64 << 20))) ? parent : null };
    }
  }
  const v1Parent = async (controller: string, file: string, value: string) => {
    const mount = all.find((m) => m.fstype === "cgroup" && m.superOptions.includes(controller));
    const path = [...own.entries()].find(([controllers]) => controllers.split(",").includes(controller))?.[1];
    if (!mount || path === undefined) return null;
    const parent = join(mount.point, path);
    return (await probe(parent, file, value)) ? parent : null;
  };
  const pids = await v1Parent("pids", "pids.max", "8");
  if (pids) return { kind: "cgroup-v1", parent: pids, memoryParent: await v1Parent("memory", "memory.limit_in_bytes", String(64 << 20)) };
  return null;
}

let counter = 0;

/** The files a v2 or v1 memory cgroup is limited and read through. */
const MEMORY_FILES = {
  "cgroup-v2": { limit: "memory.max", swap: "memory.swap.max", events: "memory.events" },
  "cgroup-v1": { limit: "memory.limit_in_bytes", swap: "memory.memsw.limit_in_bytes", events: "memory.oom_control" },
} as const;

export class RunCgroup {
  private constructor(
    private readonly kind: CgroupSupport["kind"],
    /** Every folder the run's processes join: one on v2, one per controller on v1. */
    private readonly dirs: string[],
    private readonly memoryDir: string | null,
  ) {}

  static async create(support: CgroupSupport, limits: Pick<SandboxLimits, "maxProcesses" | "memoryBytes">): Promise<RunCgroup> {
    const name = `m2d-run-${process.pid}-${++counter}`;
    const dir = join(support.parent, name);
    await mkdir(dir);
    const memoryDir = support.memoryParent === null ? null : support.memoryParent === support.parent ? dir : join(support.memoryParent, name);
    const cgroup = new RunCgroup(support.kind, memoryDir && memoryDir !== dir ? [dir, memoryDir] : [dir], memoryDir);
    try {
      await writeFile(join(dir, "pids.max"), String(limits.maxProcesses));
      if (memoryDir) {
        if (memoryDir !== dir) await mkdir(memoryDir);
        const files = MEMORY_FILES[support.kind];
        await writeFile(join(memoryDir, files.limit), String(limits.memoryBytes));
        // No swap beyond the limit: swapping the host out is taking its memory too. Absent without swap accounting.
        const swap = support.kind === "cgroup-v2" ? "0" : String(limits.memoryBytes);
        await writeFile(join(memoryDir, files.swap), swap).catch((error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
        });
      }
      return cgroup;
    } catch (error) {
      await cgroup.destroy();
      throw error;
    }
  }

  /** The cgroup.procs files a process writes its pid to, before exec'ing the sandbox, to join the run. */
  get procsFiles(): string[] {
    return this.dirs.map((dir) => join(dir, "cgroup.procs"));
  }

  /** Whether the run has a memory cgroup (else only RLIMIT_DATA per process caps it). */
  get limitsMemory(): boolean {
    return this.memoryDir !== null;
  }

  async pids(): Promise<number[]> {
    const lists = await Promise.all(this.procsFiles.map((file) => readFile(file, "utf8").catch(() => "")));
    return [...new Set(lists.flatMap((text) => text.split("\n").filter((l) => l !== "").map(Number)))];
  }

  /** Whether the kernel killed a process of the run for reaching memory.max. */
  async hitMemoryLimit(): Promise<boolean> {
    if (!this.memoryDir) return false;
    const text = await readFile(join(this.memoryDir, MEMORY_FILES[this.kind].events), "utf8").catch(() => "");
    return /^oom_kill [1-9]/m.test(text);
  }

  /** Kills everything left in the cgroup, then removes it. */
  async destroy(): Promise<void> {
    const killFile = join(this.dirs[0] as string, "cgroup.kill");
    const canKill = this.kind === "cgroup-v2" && (await access(killFile).then(() => true, () => false));
    const removeAll = async () => (await Promise.all(this.dirs.map((dir) => rmdir(dir).then(() => true, (e: NodeJS.ErrnoException) => e.code === "ENOENT")))).every(Boolean);
    for (let attempt = 0; attempt < 100; attempt++) {
      const pids = await this.pids();
      if (pids.length === 0 && (await removeAll())) return;
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
    await removeAll();
  }
}

/**
 * The run's cgroup where this machine delegates one, else null (the capability's notes say what
 * limits apply instead). Fails closed: a cgroup that cannot be made is an error, not a run without it.
 */
export async function createRunCgroup(cap: Extract<SandboxCapability, { kind: "bwrap" }>, limits: Pick<SandboxLimits, "maxProcesses" | "memoryBytes">): Promise<RunCgroup | null> {
  if ((cap.processLimit !== "cgroup-v1" && cap.processLimit !== "cgroup-v2") || !cap.cgroupParent) return null;
  return RunCgroup.create({ kind: cap.processLimit, parent: cap.cgroupParent, memoryParent: cap.cgroupMemoryParent }, limits);
}
