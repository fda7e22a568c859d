import type { Interface } from "node:readline/promises";
import type { McpConsentStore } from "../agent/mcp/consent";
import { approveWorkspaceMcp, workspaceMcpConsent } from "../agent/mcp/service";

/**
 * Before `m2d agent` starts a run: a workspace's .m2d/mcp.json that the user has not approved in this
 * content is shown (each server's whole command line and the file's sha256) and approved with
 * --trust-workspace-mcp or a yes at the prompt; otherwise the run starts without its servers.
 */
export async function reviewWorkspaceMcp(options: {
  dataDir: string;
  workspace: string;
  consent: McpConsentStore;
  trust: boolean;
  questions: Interface | undefined;
  write: (text: string) => void;
}): Promise<void> {
  const { dataDir, workspace, consent, write } = options;
  const shown = await workspaceMcpConsent(dataDir, workspace, consent);
  const servers = shown.servers.filter((s) => !s.disabled);
  if (shown.sha256 === null || shown.approved || servers.length === 0) return;
  write(`\n${shown.file} (sha256 ${shown.sha256}) would start ${servers.length === 1 ? "this MCP server" : "these MCP servers"}, in the sandbox, without network:\n`);
  for (const s of servers) write(`  ${s.name}: ${s.commandLine}\n`);
  let approve = options.trust;
  if (!approve && options.questions) {
    const answer = await options.questions.question("Start them in this and later runs, until the file changes? [y/N] ");
    approve = /^y(es)?$/i.test(answer.trim());
  }
  if (!approve) {
    write("Not approved: this run starts without them (--trust-workspace-mcp approves this content of the file).\n");
    return;
  }
  // The hash shown above: a file changed since is refused rather than approved unseen.
  await approveWorkspaceMcp(dataDir, workspace, shown.sha256, consent);
  write(`Approved sha256 ${shown.sha256}.\n`);
}
