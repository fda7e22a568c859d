import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The real Claude Code and Codex CLI binaries, from their pinned dev dependencies. Both ship their native
 * program in a per-platform optional package; where that package is missing (another platform, or an
 * install with --omit=optional) the binary is undefined and `missingReason` says why.
 */

const require = createRequire(import.meta.url);

function packageDir(name: string): string | undefined {
  try {
    return dirname(require.resolve(`${name}/package.json`));
  } catch {
    return undefined;
  }
}

export interface ClientBinary {
  path: string | undefined;
  missingReason: string;
}

function binary(pkg: string, inside: string): ClientBinary {
  const dir = packageDir(pkg);
  const path = dir ? join(dir, inside) : undefined;
  const found = path !== undefined && existsSync(path);
  return {
    path: found ? path : undefined,
    missingReason: `${pkg} is not installed (${process.platform}-${process.arch}): the native binary comes from that optional dependency, for linux-x64 only here`,
  };
}

/** Claude Code's native binary (the wrapper package's postinstall copies the same file over its bin stub). */
export const CLAUDE_CODE: ClientBinary = binary("@anthropic-ai/claude-code-linux-x64", "claude");
/** Codex CLI's native binary (the musl build the npm wrapper launches on Linux x64). */
export const CODEX: ClientBinary = binary("@openai/codex-linux-x64", join("vendor", "x86_64-unknown-linux-musl", "bin", "codex"));

export interface ClientRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs a client to its end, asynchronously: the API server it talks to lives in this process. */
export function runClient(path: string, args: readonly string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<ClientRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = execFile(path, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
      resolve({ code, stdout, stderr, ms: performance.now() - started });
    });
    // Neither client gets a prompt from stdin: an open pipe makes `claude -p` and `codex exec` wait for it.
    child.stdin?.end();
  });
}
