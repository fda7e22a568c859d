import { open } from "node:fs/promises";
import { extname } from "node:path";
import type { ChangedFileNow, FileChange } from "../../app/contract/agent-api";
import { AppError } from "../../app/contract/errors";
import { AGENT_TOOLS, toolDefinition } from "../../app/agent/tool-definitions";
import type { FileChangingTool, ToolArgs } from "../../app/agent/tool-definitions";
import { PathGuard } from "../agent/paths";
import { readCheckpoint } from "../agent/tools/checkpoint";
import { looksBinary } from "../agent/tools/read-file";

/**
 * What the agent changed in a conversation, for review: each checkpointed change with the file's text
 * before it (the checkpoint) and after it (what the call wrote), each changed file as it is now, and
 * the HTML an artifact preview shows. Everything is read through the path guard or from the checkpoint folder,
 * and capped, so a huge or binary file costs the UI nothing.
 */

/** Per side of a diff: larger texts are left out (the UI says so). */
export const CHANGE_TEXT_CAP_BYTES = 256 * 1024;
export const ARTIFACT_CAP_BYTES = 2 * 1024 * 1024;

export interface CheckpointedCall {
  checkpointId: string;
  callId: string;
  tool: string;
  arguments: Record<string, unknown>;
  at: number;
}

type Side = { text: string | null; omitted: FileChange["omitted"] };

async function readCapped(path: string, capBytes: number): Promise<Side> {
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    if (size > capBytes) return { text: null, omitted: "too_large" };
    const bytes = await handle.readFile();
    return looksBinary(bytes) ? { text: null, omitted: "binary" } : { text: bytes.toString("utf8"), omitted: null };
  } finally {
    await handle.close();
  }
}

/** The file as it is now, through the guard: a missing file is null; one the guard refuses is left out. */
async function readCurrent(guard: PathGuard, path: string): Promise<Side> {
  const resolved = await guard.resolve(path).catch(() => null);
  if (!resolved?.stats) return { text: null, omitted: null };
  try {
    const { handle, resolved: file } = await guard.openForRead(path);
    try {
      if (file.stats.size > CHANGE_TEXT_CAP_BYTES) return { text: null, omitted: "too_large" };
      const bytes = await handle.readFile();
      return looksBinary(bytes) ? { text: null, omitted: "binary" } : { text: bytes.toString("utf8"), omitted: null };
    } finally {
      await handle.close();
    }
  } catch {
    return { text: null, omitted: "unreadable" };
  }
}

/**
 * Per file-changing tool (a new one is a type error until it is here): the file's text right after the
 * call, from its arguments and the text before (null: none, or not readable); null when that cannot tell it.
 */
const TEXT_AFTER: { [N in FileChangingTool]: (args: ToolArgs[N], before: string | null) => string | null } = {
  write_file: (args) => args.content,
  edit_file: (args, before) => {
    if (before === null) return null;
    const at = before.indexOf(args.old_string);
    return at < 0 ? null : before.slice(0, at) + args.new_string + before.slice(at + args.old_string.length);
  },
};

function textAfter<N extends FileChangingTool>(tool: N, args: unknown, before: string | null): string | null {
  const parsed = AGENT_TOOLS[tool].args.safeParse(args);
  // parsed by N's own schema; TypeScript cannot tie the two lookups by the generic N.
  return parsed.success ? TEXT_AFTER[tool](parsed.data as ToolArgs[N], before) : null;
}

function isFileChangingTool(tool: string): tool is FileChangingTool {
  return toolDefinition(tool)?.changesFiles === true;
}

/** What the call put in the file, from its arguments; null when it cannot be told that way (another tool: MCP, a command). */
function writtenText(call: CheckpointedCall, before: Side): Side | null {
  if (!isFileChangingTool(call.tool)) return null;
  const text = textAfter(call.tool, call.arguments, before.text);
  if (text === null) return before.omitted ? before : null;
  return Buffer.byteLength(text) > CHANGE_TEXT_CAP_BYTES ? { text: null, omitted: "too_large" } : { text, omitted: null };
}

/**
 * Oldest first, and each changed file now. A checkpoint that is gone (data dir cleaned) is skipped
 * rather than failing the list. A change whose written text cannot be told from its call (another
 * tool) shows the next change's "before", or the file now.
 */
export async function listFileChanges(options: { workspace: string; checkpointDir: string; calls: CheckpointedCall[] }): Promise<{ changes: FileChange[]; files: ChangedFileNow[] }> {
  const guard = await PathGuard.create(options.workspace);
  const befores: Array<{ call: CheckpointedCall; path: string; before: Side }> = [];
  for (const call of options.calls) {
    const files = await readCheckpoint({ workspace: guard.root, checkpointDir: options.checkpointDir, checkpointId: call.checkpointId }).catch(() => []);
    for (const file of files) {
      const before = file.savedCopy ? await readCapped(file.savedCopy, CHANGE_TEXT_CAP_BYTES).catch((): Side => ({ text: null, omitted: "unreadable" })) : { text: null, omitted: null };
      befores.push({ call, path: file.path, before });
    }
  }
  const now = new Map<string, Side>();
  for (const { path } of befores) if (!now.has(path)) now.set(path, await readCurrent(guard, path));
  const changes = befores.map((entry, index): FileChange => {
    const next = befores.slice(index + 1).find((later) => later.path === entry.path);
    const after = writtenText(entry.call, entry.before) ?? (next ? next.before : now.get(entry.path)!);
    return {
      checkpointId: entry.call.checkpointId,
      callId: entry.call.callId,
      tool: entry.call.tool,
      path: entry.path,
      before: entry.before.text,
      after: after.text,
      omitted: entry.before.omitted ?? after.omitted,
      at: entry.call.at,
    };
  });
  return { changes, files: [...now].map(([path, side]) => ({ path, text: side.text, omitted: side.omitted })) };
}

const HTML_EXTENSIONS = new Set([".html", ".htm"]);

/** An HTML file inside the workspace, as text, for the preview frame. */
export async function readArtifact(workspace: string, path: string): Promise<{ path: string; html: string }> {
  if (!HTML_EXTENSIONS.has(extname(path).toLowerCase())) {
    throw new AppError("bad_request", "Only .html files can be previewed.", { reason: "not_html", path });
  }
  const guard = await PathGuard.create(workspace);
  const { handle, resolved } = await guard.openForRead(path);
  try {
    if (resolved.stats.size > ARTIFACT_CAP_BYTES) {
      throw new AppError("bad_request", `${resolved.relative} is ${resolved.stats.size} bytes, over the preview's ${ARTIFACT_CAP_BYTES}-byte cap.`, {
        reason: "file_too_large",
        path: resolved.relative,
      });
    }
    const bytes = await handle.readFile();
    if (looksBinary(bytes)) throw new AppError("bad_request", `${resolved.relative} is not UTF-8 text.`, { reason: "binary_file", path: resolved.relative });
    return { path: resolved.relative, html: bytes.toString("utf8") };
  } finally {
    await handle.close();
  }
}
