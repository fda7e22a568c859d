import { randomUUID } from "node:crypto";
import type { Db } from "../../storage/database";
import { PathGuard } from "../paths";
import { createCheckpoint } from "../tools/checkpoint";
import { looksBinary } from "../tools/read-file";
import { AppError } from "../../../app/contract/errors";
import type { TreeChange } from "./tree-diff";

/**
 * Writes an attempt's changes into the real workspace the way the agent's own writes go: through the path guard,
 * each file after a checkpoint of its previous state, recorded as a tool run of `conversationId` (so the
 * Changed-files panel lists it and agent.revert puts it back). A symlink the attempt made is not applied: the
 * host does not plant links a model chose. Every path is checked for writing before the first write.
 */
export async function applyChanges(input: {
  db: Db;
  workspace: string;
  checkpointDir: string;
  conversationId: string;
  assistantMessageId: string;
  changes: readonly TreeChange[];
}): Promise<{ checkpointIds: string[]; changedFiles: string[]; skipped: string[] }> {
  const guard = await PathGuard.create(input.workspace);
  const applicable = input.changes.filter((c) => c.after?.kind !== "link" && c.before?.kind !== "link");
  const skipped = input.changes.filter((c) => !applicable.includes(c)).map((c) => c.path);
  for (const change of applicable) await guard.forWrite(change.path);
  const checkpointIds: string[] = [];
  for (const change of applicable) {
    const startedAt = Date.now();
    const checkpointId = await createCheckpoint(guard, input.checkpointDir, [change.path], `Apply attempt: ${change.path}`);
    checkpointIds.push(checkpointId);
    const after = change.after;
    if (after === null) {
      if (!(await guard.removeFile(change.path))) throw new AppError("bad_request", `Could not remove ${change.path} from the workspace.`, { reason: "apply_refused", path: change.path });
    } else if (after.kind === "file") {
      await guard.writeFile(change.path, after.bytes);
    }
    // A text file is recorded as the write_file call that would make it, so the review shows its text after.
    const text = after?.kind === "file" && !looksBinary(after.bytes) ? after.bytes.toString("utf8") : null;
    const [tool, args] = text !== null ? ["write_file", { path: change.path, content: text }] : ["apply_attempt", { path: change.path }];
    input.db
      .prepare(
        `INSERT INTO tool_runs (id, conversation_id, assistant_message_id, tool_message_id, call_id, tool, arguments, decision,
           decided_by, approved, action, location, ok, checkpoint_id, started_at, ended_at)
         VALUES (?, ?, ?, NULL, ?, ?, ?, 'allow', 'user', 1, ?, NULL, 1, ?, ?, ?)`,
      )
      .run(randomUUID(), input.conversationId, input.assistantMessageId, `apply-${checkpointIds.length}`, tool, JSON.stringify(args), `Apply ${change.path}`, checkpointId, startedAt, Date.now());
  }
  return { checkpointIds, changedFiles: applicable.map((c) => c.path), skipped };
}
