/**
 * Runs one command through runSandboxed in a process of its own and prints the result as JSON:
 * for the attack that needs the calling process itself to hold descriptors it inherited.
 * Usage: node run-one.mjs '{"command": "...", "workspace": "..."}'
 */
import { runSandboxed } from "../runner";

const request = JSON.parse(process.argv[2] ?? "{}") as { command: string; workspace: string };
const result = await runSandboxed({ command: request.command, workspace: request.workspace, limits: { timeoutMs: 20_000 } });
process.stdout.write(JSON.stringify(result));
