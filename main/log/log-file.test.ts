import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { LogFile, readLogTail } from "./log-file";

const scratch = mkdtempSync(join(tmpdir(), "m2d-log-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const entryNumber = (line: string) => Number(/entry (\d+)/.exec(line)?.[1]);

describe("LogFile (real files)", () => {
  it("rotates at the size limit, keeps exactly `keep` old files, and loses no entry inside what it keeps", () => {
    const path = join(scratch, "rotate", "logs", "m2d.log");
    const log = new LogFile({ path, maxBytes: 2_000, keep: 3 });
    for (let i = 0; i < 200; i++) log.write("info", `entry ${i} ${"x".repeat(40)}`);

    expect(readdirSync(join(scratch, "rotate", "logs")).sort()).toEqual(["m2d.log", "m2d.log.1", "m2d.log.2", "m2d.log.3"]);
    const files = [`${path}.3`, `${path}.2`, `${path}.1`, path];
    for (const file of files) expect(statSync(file).size).toBeLessThanOrEqual(2_000);
    // Oldest to newest, the kept entries run without a gap and end with the last one written.
    const kept = files.flatMap((file) => readFileSync(file, "utf8").trimEnd().split("\n")).map(entryNumber);
    expect(kept.at(-1)).toBe(199);
    expect(kept).toEqual(kept.map((_, i) => kept[0]! + i));
    expect(kept.length).toBeGreaterThan(3 * 20); // each full file holds ~28 entries of 70 bytes
  });

  it("each entry is one timestamped, leveled line, and the tail reads across the last rotation", () => {
    const path = join(scratch, "tail", "m2d.log");
    const log = new LogFile({ path, maxBytes: 1_000, keep: 1, now: () => new Date("2026-01-02T03:04:05.000Z") });
    for (let i = 0; i < 30; i++) log.write("warn", `entry ${i}`);
    const liveLines = readFileSync(path, "utf8").trimEnd().split("\n");
    expect(liveLines[0]).toMatch(/^2026-01-02T03:04:05\.000Z \[warn\] entry \d+$/);
    const tail = readLogTail(path, liveLines.length + 5);
    expect(tail.map(entryNumber)).toEqual(Array.from({ length: liveLines.length + 5 }, (_, i) => 30 - liveLines.length - 5 + i));
    expect(readLogTail(join(scratch, "nothing-here.log"), 10)).toEqual([]);
  });

  it("never throws into the caller when the folder cannot be created or the disk is full, and says why", () => {
    // Root ignores permission bits, so an unwritable folder is made real another way: "logs" is a file.
    const blocked = join(scratch, "blocked");
    mkdirSync(blocked);
    writeFileSync(join(blocked, "logs"), "not a folder");
    const unwritable = new LogFile({ path: join(blocked, "logs", "m2d.log") });
    expect(() => unwritable.write("error", "lost")).not.toThrow();
    expect(unwritable.lastFailure).toMatch(/ENOTDIR|EEXIST/);

    // /dev/full answers every write with ENOSPC: a full disk, for real.
    const full = new LogFile({ path: "/dev/full" });
    expect(() => full.write("error", "lost")).not.toThrow();
    expect(full.lastFailure).toMatch(/ENOSPC/);

    // A read-only folder as a non-root user would see it (skipped in effect as root, where writes succeed).
    const readOnly = join(scratch, "read-only");
    mkdirSync(readOnly, { mode: 0o500 });
    expect(() => new LogFile({ path: join(readOnly, "m2d.log") }).write("error", "maybe lost")).not.toThrow();
  });

  it("recovers once the folder is writable again", () => {
    const dir = join(scratch, "recovers");
    mkdirSync(dir);
    writeFileSync(join(dir, "logs"), "in the way");
    const log = new LogFile({ path: join(dir, "logs", "m2d.log") });
    log.write("info", "lost");
    expect(log.lastFailure).toBeDefined();
    rmSync(join(dir, "logs"));
    log.write("info", "kept");
    expect(log.lastFailure).toBeUndefined();
    expect(readFileSync(join(dir, "logs", "m2d.log"), "utf8")).toMatch(/\[info\] kept\n$/);
  });

  it("redacts secrets and caps a runaway entry", () => {
    const path = join(scratch, "redact", "m2d.log");
    const log = new LogFile({ path, secrets: () => ["s3cret-launch-token"] });
    log.write("error", "GET /?token=s3cret-launch-token failed; hub said 401 for Bearer hf_AAAAAAAAAAAAAAAAAAAAAAAA");
    log.write("info", "y".repeat(100_000));
    const text = readFileSync(path, "utf8");
    expect(text).not.toContain("s3cret-launch-token");
    expect(text).not.toContain("hf_AAAA");
    expect(text).toContain("Bearer [redacted]");
    expect(text.length).toBeLessThan(20_000);
    expect(text).toMatch(/more chars\]\n$/);
    expect(existsSync(`${path}.1`)).toBe(false);
  });
});
