import { spawn } from "node:child_process";
import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hideFromSandboxes } from "../sandbox/private-paths";
import { PageFileError, readWorkspaceFile } from "./page-files";
import { servePageRequest } from "./page-server";

let root: string;
let ws: string;
let outside: string;

const read = (path: string, max = 1024) => readWorkspaceFile(ws, path, max).then((b) => b.toString("utf8"));
const refusal = (path: string, max = 1024) =>
  readWorkspaceFile(ws, path, max).then(
    () => "read",
    (error: unknown) => (error instanceof PageFileError ? error.refusal : `unexpected ${String(error)}`),
  );

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "m2d-page-files-"));
  ws = join(root, "ws");
  outside = join(root, "outside");
  mkdirSync(join(ws, "a/b"), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(outside, "secret.txt"), "SECRET");
  writeFileSync(join(ws, "a/b/page.txt"), "inside");
  writeFileSync(join(ws, "top.txt"), "top");
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("readWorkspaceFile: no symlink leads out, whatever the path says", () => {
  test("attack: symlinks to outside (file, folder, absolute, relative, chained, dangling) → refused; links inside still read", async () => {
    symlinkSync(join(outside, "secret.txt"), join(ws, "abs-file"));
    symlinkSync("../outside/secret.txt", join(ws, "rel-file"));
    symlinkSync(outside, join(ws, "abs-dir"));
    symlinkSync("../../../outside", join(ws, "a/b/rel-dir"));
    symlinkSync("abs-dir", join(ws, "chain"));
    symlinkSync("/nonexistent/x", join(ws, "dangling"));
    symlinkSync("loop2", join(ws, "loop1"));
    symlinkSync("loop1", join(ws, "loop2"));
    for (const path of ["abs-file", "rel-file", "abs-dir/secret.txt", "a/b/rel-dir/secret.txt", "chain/secret.txt", "dangling", "../outside/secret.txt", "a/../../outside/secret.txt"]) {
      expect(await refusal(path), path).toBe("outside_workspace");
    }
    expect(await refusal("loop1")).toBe("too_many_links");
    symlinkSync("b/page.txt", join(ws, "a/in-rel"));
    symlinkSync(join(ws, "a/b"), join(ws, "in-abs-dir"));
    symlinkSync("../../top.txt", join(ws, "a/b/up"));
    expect(await read("a/in-rel")).toBe("inside");
    expect(await read("in-abs-dir/page.txt")).toBe("inside");
    expect(await read("a/b/up")).toBe("top");
  });

  test("attack: a hardlink, a FIFO, a folder, an oversized file → refused without hanging", async () => {
    writeFileSync(join(ws, "linked.txt"), "two names");
    linkSync(join(ws, "linked.txt"), join(ws, "other-name.txt"));
    execFileSync("mkfifo", [join(ws, "fifo")]);
    writeFileSync(join(ws, "big.txt"), "x".repeat(2000));
    expect(await refusal("other-name.txt")).toBe("hardlink");
    expect(await refusal("fifo")).toBe("not_a_file");
    expect(await refusal("a")).toBe("not_a_file");
    expect(await refusal("big.txt")).toBe("too_large");
    expect(await refusal("nope/x")).toBe("not_found");
    expect(await refusal("top.txt/x")).toBe("not_found");
  });

  test("attack: a process flips a folder between itself and a symlink to outside during 2 s of reads → never the secret", async () => {
    mkdirSync(join(ws, "race.dir"));
    writeFileSync(join(ws, "race.dir/secret.txt"), "inside-race");
    symlinkSync(outside, join(ws, "race.lnk"));
    // Every rename is atomic: race is, in turn, absent, the folder, absent, the symlink.
    const flipper = spawn(process.execPath, [
      "-e",
      `const fs = require("fs"); process.chdir(process.argv[1]); const end = Date.now() + 4000;
       while (Date.now() < end) { fs.renameSync("race.dir", "race"); fs.renameSync("race", "race.dir"); fs.renameSync("race.lnk", "race"); fs.renameSync("race", "race.lnk"); }`,
      ws,
    ]);
    const seen = new Map<string, number>();
    const until = Date.now() + 2000;
    while (Date.now() < until) {
      const what = await read("race/secret.txt").catch((error: unknown) => (error instanceof PageFileError ? error.refusal : String(error)));
      seen.set(what, (seen.get(what) ?? 0) + 1);
    }
    flipper.kill("SIGKILL");
    await new Promise((resolve) => flipper.once("exit", resolve));
    expect([...seen.keys()].filter((what) => what.includes("SECRET"))).toEqual([]);
    // The race was real: the folder was met both ways.
    expect(seen.get("inside-race") ?? 0).toBeGreaterThan(0);
    expect(seen.get("outside_workspace") ?? 0).toBeGreaterThan(0);
  }, 20_000);
});

describe("readWorkspaceFile: the app's data dir inside the workspace", () => {
  test("attack: a page fetches the data dir's database, directly, through .. or through a symlink inside the workspace → refused; other files still read", async () => {
    mkdirSync(join(ws, ".data"));
    writeFileSync(join(ws, ".data/m2d.sqlite"), "hub-token-secret");
    symlinkSync(".data", join(ws, "data-link"));
    hideFromSandboxes(join(ws, ".data"));
    for (const path of [".data/m2d.sqlite", "a/../.data/m2d.sqlite", "data-link/m2d.sqlite"]) {
      expect(await refusal(path), path).toBe("private_path");
    }
    expect((await servePageRequest(ws, "GET", "http://page.m2d.invalid/.data/m2d.sqlite")).kind).toBe("refuse");
    expect(await read("top.txt")).toBe("top");
  });
});

describe("servePageRequest: only the synthetic origin, only GET", () => {
  test("attack: other origins, file:, encoded dot-segments and slashes, credentials → refused; workspace files served with their type", async () => {
    for (const url of [
      "file:///etc/passwd",
      "http://127.0.0.1/top.txt",
      "https://page.m2d.invalid/top.txt",
      "http://user@page.m2d.invalid/top.txt",
      "http://page.m2d.invalid/a%2fb/page.txt",
      "http://page.m2d.invalid/%2e%2e%2foutside/secret.txt",
      "http://page.m2d.invalid/abs-file",
      "http://page.m2d.invalid/a%00",
    ]) {
      expect((await servePageRequest(ws, "GET", url)).kind, url).toBe("refuse");
    }
    expect(await servePageRequest(ws, "GET", "http://page.m2d.invalid/a/b/page.txt?x=1#y")).toEqual({
      kind: "fulfill",
      status: 200,
      contentType: "text/plain; charset=utf-8",
      body: Buffer.from("inside"),
    });
    expect(await servePageRequest(ws, "GET", "http://page.m2d.invalid/missing.js")).toMatchObject({ kind: "fulfill", status: 404 });
    expect(await servePageRequest(ws, "POST", "http://page.m2d.invalid/top.txt")).toMatchObject({ kind: "fulfill", status: 405 });
  });
});
