import { execFileSync } from "node:child_process";
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { AppError } from "../../app/contract/errors";
import { PathGuard } from "./paths";
import { resolveWorkspaceRoot } from "./workspace";

let root: string;
let ws: string;
let guard: PathGuard;

async function reason(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    expect((error as AppError).code).toBe("bad_request");
    return (error as { details: { reason: string } }).details.reason;
  }
  throw new Error("expected a refusal");
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-paths-"));
  ws = join(root, "ws");
  mkdirSync(join(ws, "src", "deep"), { recursive: true });
  mkdirSync(join(root, "outside"));
  writeFileSync(join(ws, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(join(root, "outside", "secret.txt"), "secret\n");
  symlinkSync(join(root, "outside"), join(ws, "link-dir-out"));
  symlinkSync(join(root, "outside", "secret.txt"), join(ws, "link-file-out"));
  symlinkSync("src/a.ts", join(ws, "link-inside"));
  symlinkSync(".git/config", join(ws, "innocent-name"));
  symlinkSync("../../outside", join(ws, "src", "relative-out"));
  linkSync(join(root, "outside", "secret.txt"), join(ws, "hardlink.txt"));
  mkdirSync(join(ws, ".git"));
  writeFileSync(join(ws, ".git", "config"), "[core]\n");
  symlinkSync(".git/config", join(ws, "config-alias"));
  symlinkSync(".git/hooks/pre-commit", join(ws, "dangling-hook"));
  symlinkSync("/nonexistent/dir", join(ws, "dangling-dir"));
  execFileSync("mkfifo", [join(ws, "fifo")]);
  // A folder git takes for a repository (it holds HEAD), without any .git in its path.
  mkdirSync(join(ws, "vendor", "store", "hooks"), { recursive: true });
  writeFileSync(join(ws, "vendor", "store", "HEAD"), "ref: refs/heads/main\n");
  guard = await PathGuard.create(ws);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("reads", () => {
  test("paths inside resolve to real paths, symlinks inside included", async () => {
    expect((await guard.forRead("src/a.ts")).relative).toBe("src/a.ts");
    expect((await guard.forRead(`${ws}/src/./deep/../a.ts`)).relative).toBe("src/a.ts");
    expect((await guard.forRead("link-inside")).relative).toBe("src/a.ts");
  });

  test.each([
    ["../outside/secret.txt", "outside_workspace"],
    ["src/../../outside/secret.txt", "outside_workspace"],
    ["/etc/passwd", "outside_workspace"],
    ["~/.ssh/id_rsa", "outside_workspace"],
    ["link-file-out", "symlink_escape"],
    ["link-dir-out/secret.txt", "symlink_escape"],
    ["src/relative-out/secret.txt", "symlink_escape"],
    ["hardlink.txt", "hardlinked_file"],
    ["fifo", "not_regular_file"],
    ["src", "is_directory"],
    ["missing.txt", "not_found"],
    ["src/a.ts/x", "bad_path"],
    ["a\0b", "bad_path"],
  ])("%s → %s", async (path, expected) => {
    expect(await reason(guard.forRead(path))).toBe(expected);
  });

  test("openForRead hands back the checked inode", async () => {
    const { handle, resolved } = await guard.openForRead("src/a.ts");
    try {
      expect((await handle.readFile("utf8")).startsWith("export")).toBe(true);
      expect(resolved.stats.ino).toBe(statSync(join(ws, "src", "a.ts")).ino);
    } finally {
      await handle.close();
    }
  });
});

describe("writes", () => {
  test("a new file in a new folder is created through a temp file and rename", async () => {
    const written = await guard.writeFile("src/new/b.ts", "b\n");
    expect(written.relative).toBe("src/new/b.ts");
    expect(readFileSync(join(ws, "src", "new", "b.ts"), "utf8")).toBe("b\n");
  });

  test("replacing keeps the file's mode", async () => {
    const path = join(ws, "run.sh");
    writeFileSync(path, "#!/bin/sh\n", { mode: 0o755 });
    await guard.writeFile("run.sh", "#!/bin/sh\necho hi\n");
    expect(statSync(path).mode & 0o777).toBe(0o755);
  });

  test.each([
    ["../escape.txt", "outside_workspace"],
    ["link-dir-out/new.txt", "symlink_escape"],
    ["link-file-out", "symlink_escape"],
    ["hardlink.txt", "hardlinked_file"],
    [".git/hooks/pre-commit", "protected_path"],
    [".git/config", "protected_path"],
    ["innocent-name", "protected_path"],
    ["dangling-hook", "dangling_symlink"],
    ["dangling-dir/new.txt", "dangling_symlink"],
    ["config-alias", "protected_path"],
    [".envrc", "protected_path"],
    ["packages/x/.envrc", "protected_path"],
    [".m2d/settings.json", "protected_path"],
    [".bashrc", "protected_path"],
    [".vscode/tasks.json", "protected_path"],
    [".mcp.json", "protected_path"],
    [".claude/settings.json", "protected_path"],
    ["vendor/store/config", "protected_path"],
    ["vendor/store/hooks/post-checkout", "protected_path"],
    ["src/HEAD", "protected_path"],
    ["src", "is_directory"],
    [".", "is_directory"],
    ["fifo", "not_regular_file"],
  ])("%s → %s", async (path, expected) => {
    expect(await reason(guard.writeFile(path, "pwned"))).toBe(expected);
  });

  test("nothing was written outside or through a link", () => {
    expect(readFileSync(join(root, "outside", "secret.txt"), "utf8")).toBe("secret\n");
  });
});

describe("workspace root", () => {
  test("must be an existing, specific folder", async () => {
    expect(await reason(resolveWorkspaceRoot("relative/path"))).toBe("workspace_not_absolute");
    expect(await reason(resolveWorkspaceRoot(join(root, "nope")))).toBe("workspace_missing");
    expect(await reason(resolveWorkspaceRoot(join(ws, "src", "a.ts")))).toBe("workspace_not_directory");
    for (const broad of ["/", "/etc", "/tmp", homedir()]) {
      expect(await reason(resolveWorkspaceRoot(broad)), broad).toBe("workspace_too_broad");
    }
    expect(await resolveWorkspaceRoot(join(ws, "link-inside", ".."))).toBe(ws);
  });
});
