import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { existsSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DataFolderOwnerSchema, type DataFolderOwner } from "../../app/contract";
import { bundleEntry } from "../downloads/testing/bundle";
import { acquireDataLock, dataLockPath, isAlive, liveDataFolderOwner } from "./data-lock";

// Real processes competing for a real lock file: the data folder's single owner.

let child: { file: string; remove(): void };
const dirs: string[] = [];
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "m2d-lock-"));
  dirs.push(dir);
  return dir;
};
beforeAll(async () => {
  child = await bundleEntry(join(import.meta.dirname, "testing", "lock-child.ts"));
}, 60_000);
afterAll(() => {
  child?.remove();
  dirs.forEach((d) => rmSync(d, { recursive: true, force: true }));
});

type Outcome = { won: true } | { won: false; code: string; message: string; pid?: number };

interface Contender {
  process: ChildProcessWithoutNullStreams;
  next(): Promise<Record<string, unknown>>;
  send(line: string): void;
  exited: Promise<number | null>;
}

function contender(dataDir: string): Contender {
  const proc = spawn(process.execPath, [child.file, dataDir]);
  const lines: Array<Record<string, unknown>> = [];
  const waiting: Array<(line: Record<string, unknown>) => void> = [];
  createInterface({ input: proc.stdout }).on("line", (line) => {
    const parsed = JSON.parse(line) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter) waiter(parsed);
    else lines.push(parsed);
  });
  return {
    process: proc,
    next: () => (lines.length > 0 ? Promise.resolve(lines.shift()!) : new Promise((resolve) => waiting.push(resolve))),
    send: (line) => proc.stdin.write(`${line}\n`),
    exited: new Promise((resolve) => proc.once("exit", resolve)),
  };
}

async function startContenders(dataDir: string, count: number): Promise<Contender[]> {
  const all = Array.from({ length: count }, () => contender(dataDir));
  await Promise.all(all.map((c) => c.next())); // each is loaded and waiting
  return all;
}

/** The lock a crashed holder leaves: a pid that no longer runs. */
async function deadPid(): Promise<number> {
  const proc = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => proc.once("exit", resolve));
  return proc.pid!;
}

function forgeLock(dataDir: string, owner: Partial<DataFolderOwner> & { pid: number }): void {
  const sample = acquireDataLock(freshDir(), "cli"); // this machine's hostname and boot, as a real holder writes them
  const live = sample.owner;
  sample.release();
  writeFileSync(dataLockPath(dataDir), JSON.stringify({ ...live, nonce: "forged", ...owner }));
}

const readLock = (dataDir: string) => DataFolderOwnerSchema.parse(JSON.parse(readFileSync(dataLockPath(dataDir), "utf8")));

describe("the data folder lock", () => {
  it("lets exactly one of many racing processes win, on a free folder and on one with a stale lock (30 rounds × 5)", async () => {
    for (let round = 0; round < 30; round++) {
      const dataDir = freshDir();
      // Every other round starts from a crashed holder's lock, so the racers also race to take it over.
      if (round % 2 === 1) forgeLock(dataDir, { pid: await deadPid() });
      const racers = await startContenders(dataDir, 5);
      racers.forEach((r) => r.send("go"));
      const outcomes = (await Promise.all(racers.map((r) => r.next()))) as Outcome[];
      const winners = racers.filter((_, i) => outcomes[i]!.won);
      expect(winners, `round ${round}: ${JSON.stringify(outcomes)}`).toHaveLength(1);
      const winnerPid = winners[0]!.process.pid;
      expect(readLock(dataDir).pid).toBe(winnerPid);
      for (const outcome of outcomes) {
        if (!outcome.won) expect(outcome).toMatchObject({ code: "data_dir_in_use", pid: winnerPid, message: expect.stringContaining(`pid ${winnerPid}`) });
      }
      racers.forEach((r) => r.send("release"));
      await Promise.all(racers.map((r) => r.exited));
      expect(existsSync(dataLockPath(dataDir))).toBe(false);
    }
  }, 300_000);

  it("takes over a dead holder's lock and a lock whose pid now belongs to another process", async () => {
    const dead = freshDir();
    forgeLock(dead, { pid: await deadPid() });
    const taken = acquireDataLock(dead, "serve");
    expect(readLock(dead)).toMatchObject({ pid: process.pid, kind: "serve" });
    taken.release();

    // Pid reuse: the pid runs (it is this test's), but started at another time than the lock says.
    const reused = freshDir();
    forgeLock(reused, { pid: process.pid, processStart: "1" });
    expect(isAlive(readLock(reused))).toBe(process.platform !== "linux");
    if (process.platform === "linux") acquireDataLock(reused, "cli").release();

    // A lock from before a reboot.
    const rebooted = freshDir();
    forgeLock(rebooted, { pid: process.pid, bootId: "00000000-0000-0000-0000-000000000000" });
    if (process.platform === "linux") acquireDataLock(rebooted, "cli").release();

    // Garbage in the lock file (not one of ours) is no owner.
    const garbage = freshDir();
    writeFileSync(dataLockPath(garbage), "{not json");
    acquireDataLock(garbage, "cli").release();
    expect(existsSync(dataLockPath(garbage))).toBe(false);
  });

  it("refuses a live holder in another process with the message a user reads", async () => {
    const dataDir = freshDir();
    const [holder] = await startContenders(dataDir, 1);
    holder!.send("go");
    expect(await holder!.next()).toEqual({ won: true });
    expect(liveDataFolderOwner(dataDir)).toMatchObject({ pid: holder!.process.pid, kind: "cli" });
    expect(() => acquireDataLock(dataDir, "serve")).toThrow(
      expect.objectContaining({
        code: "data_dir_in_use",
        message: expect.stringMatching(new RegExp(`^An m2d command is already running on this data folder \\(pid ${holder!.process.pid}, started \\d{4}-\\d\\d-\\d\\dT.*\\); close it or use --data-dir\\.$`)),
      }),
    );
    holder!.send("release");
    await holder!.exited;
    expect(liveDataFolderOwner(dataDir)).toBeNull();
    acquireDataLock(dataDir, "serve").release();
  });

  it("is released when its process exits, and a SIGKILLed holder's lock is taken over by the next", async () => {
    const exits = freshDir();
    const [leaver] = await startContenders(exits, 1);
    leaver!.send("go");
    await leaver!.next();
    leaver!.send("exit"); // process.exit without release(): the exit hook removes it
    await leaver!.exited;
    expect(existsSync(dataLockPath(exits))).toBe(false);

    const killed = freshDir();
    const [victim] = await startContenders(killed, 1);
    victim!.send("go");
    await victim!.next();
    victim!.process.kill("SIGKILL");
    await victim!.exited;
    expect(readLock(killed).pid).toBe(victim!.process.pid); // left behind
    const [next] = await startContenders(killed, 1);
    next!.send("go");
    expect(await next!.next()).toEqual({ won: true });
    next!.send("release");
    await next!.exited;
  });

  it("release removes only its own lock, once; a host's advertised URL and token are readable beside it", () => {
    const dataDir = freshDir();
    const lock = acquireDataLock(dataDir, "serve");
    lock.advertise({ url: "http://127.0.0.1:5555/", token: "secret-token" });
    const advertised = readLock(dataDir);
    expect(advertised.host).toEqual({ url: "http://127.0.0.1:5555/", tokenFile: join(dataDir, "m2d.lock.token") });
    expect(readFileSync(advertised.host!.tokenFile, "utf8")).toBe("secret-token");
    lock.release();
    expect(existsSync(dataLockPath(dataDir))).toBe(false);
    expect(existsSync(advertised.host!.tokenFile)).toBe(false);
    // A second release after someone else took the folder leaves theirs alone.
    const other = acquireDataLock(dataDir, "cli");
    lock.release();
    expect(readLock(dataDir).nonce).toBe(other.owner.nonce);
    other.release();
  });

  it("advertises the token in a fresh 0600 file, never through what a crashed host left at its name", () => {
    const dataDir = freshDir();
    const tokenFile = join(dataDir, "m2d.lock.token");
    const outside = join(dataDir, "outside.txt");
    writeFileSync(outside, "not yours", { mode: 0o644 });
    symlinkSync(outside, tokenFile);
    const lock = acquireDataLock(dataDir, "serve");
    try {
      lock.advertise({ url: "http://127.0.0.1:5555/", token: "secret-token" });
      expect(readFileSync(outside, "utf8")).toBe("not yours");
      expect(lstatSync(tokenFile).isSymbolicLink()).toBe(false);
      expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
      expect(readFileSync(tokenFile, "utf8")).toBe("secret-token");
    } finally {
      lock.release();
    }
  });
});
