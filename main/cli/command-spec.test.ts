import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../app/contract";
import { commandHelp, defineCommand, parseCommandArgs, wantsHelp } from "./command-spec";

const spec = defineCommand({
  name: "demo",
  summary: "a command for this test",
  positionals: "",
  options: {
    count: { type: "string", default: "3", value: "N", help: "how many" },
    loud: { type: "boolean", default: false, short: "l", help: "say it loudly" },
  },
});

describe("command option tables", () => {
  it("parse with the table and print every option of it, with its placeholder and default", () => {
    expect(parseCommandArgs(spec, ["--count", "5", "-l"]).values).toEqual({ count: "5", loud: true });
    const help = commandHelp(spec);
    expect(help).toMatch(/^Usage: m2d demo \[options\]\n/);
    expect(help).toMatch(/ {2}--count N\s+how many \(default: 3\)\n/);
    expect(help).toMatch(/ {2}-l, --loud\s+say it loudly\n/);
    expect(help).toMatch(/ {2}-h, --help\s+show this help$/);
  });

  it("refuse an argument a command does not take, and an unknown flag", () => {
    expect(() => parseCommandArgs(spec, ["extra"])).toThrow(AppError);
    expect(() => parseCommandArgs(spec, ["--nope"])).toThrow(/Unknown option '--nope'/);
  });

  it("see --help and -h before --, not after it (a prompt may say --help)", () => {
    expect(wantsHelp(["model", "--help"])).toBe(true);
    expect(wantsHelp(["-h"])).toBe(true);
    expect(wantsHelp(["model", "--", "--help"])).toBe(false);
  });

  it("are the only way a CLI command reads its flags: no command calls parseArgs on a table of its own", () => {
    const dir = import.meta.dirname;
    const own = readdirSync(dir).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && f !== "command-spec.ts");
    const direct = own.filter((f) => /\bparseArgs\s*\(/.test(readFileSync(join(dir, f), "utf8")));
    expect(direct).toEqual([]);
  });
});
