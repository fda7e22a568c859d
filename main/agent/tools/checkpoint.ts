import { randomBytes } from "node:crypto";
import { mkdir, realpath } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { SafeDir, writeFileAtomic } from "../fs";
import { PathGuard } from "../paths";

/**
 * Before the agent writes or edits a file, its previous state is saved so the UI can revert:
 * `<checkpointDir>/<id>/manifest.json` plus a copy of each file that existed. The folder is the
 * caller's, outside the workspace or under its read-only `.m2d/`, so a sandboxed command cannot
 * doctor what a revert would restore. Under .m2d the folder is reached by no-follow steps from the
 * workspace root (../fs), so a symlink planted there can neither redirect the copies nor feed a
 * revert an outside file.
 */

interface CheckpointEntry {
  /** Workspace-relative. */
  path: string;
  existed: boolean;
  /** File name of the saved copy inside the checkpoint folder. */
  copy?: string;
}

interface Manifest {
  version: 1;
  workspace: string;
  createdAt: string;
  label: string;
  entries: CheckpointEntry[];
}

const ID = /^cp-[0-9]{13}-[0-9a-f]{8}$/;

/** Saved copies are read back whole; anything bigger was not written by a file tool. */
const MAX_COPY_BYTES = 256 * 1024 * 1024;

const within = (parent: string, path: string) => path === parent || path.startsWith(parent + sep);

export async function checkCheckpointDir(workspace: string, checkpointDir: string): Promise<string> {
  const lexical = resolve(checkpointDir);
  const underM2d = (path: string) => path.startsWith(join(workspace, ".m2d") + sep);
  const refuse = (path: string) =>
    new AppError("bad_request", "The checkpoint folder must be outside the workspace (or under its .m2d folder).", {
      reason: "checkpoint_dir_inside_workspace",
      path,
    });
  if (within(workspace, lexical)) {
    if (!underM2d(lexical)) throw refuse(lexical);
    // Made and checked by no-follow steps: mkdir -p by path would follow a symlinked .m2d and create
    // folders wherever it points before any check could refuse it.
    try {
      openCheckpointRoot(workspace, lexical).close();
    } catch {
      throw refuse(lexical);
    }
    return lexical;
  }
  await mkdir(checkpointDir, { recursive: true });
  const real = await realpath(checkpointDir);
  if (within(workspace, real) && !underM2d(real)) throw refuse(real);
  return real;
}

/** The (checked) checkpoint folder as a no-follow handle; the caller closes it. */
function openCheckpointRoot(workspace: string, real: string): SafeDir {
  if (!within(workspace, real)) return SafeDir.openRoot(real);
  const root = SafeDir.openRoot(workspace);
  try {
    return root.openPath(relative(workspace, real).split(sep), { create: true });
  } finally {
    root.close();
  }
}

function openCheckpoint(workspace: string, real: string, id: string, create: boolean): SafeDir {
  const root = openCheckpointRoot(workspace, real);
  try {
    if (create) root.mkdir(id, { mode: 0o700 });
    return root.openDir(id);
  } finally {
    root.close();
  }
}

/** Saves the current state of `paths` (workspace-relative, already checked for writing). */
export async function createCheckpoint(guard: PathGuard, checkpointDir: string, paths: string[], label: string): Promise<string> {
  const root = await checkCheckpointDir(guard.root, checkpointDir);
  const id = `cp-${Date.now()}-${randomBytes(4).toString("hex")}`;
  const dir = openCheckpoint(guard.root, root, id, true);
  try {
    const entries: CheckpointEntry[] = [];
    for (const [index, path] of paths.entries()) {
      const resolved = await guard.resolve(path);
      if (!resolved.stats) {
        entries.push({ path: resolved.relative, existed: false });
        continue;
      }
      const copy = `file-${index}`;
      const { handle } = await guard.openForRead(path);
      try {
        writeFileAtomic(dir, copy, await handle.readFile(), 0o600);
      } finally {
        await handle.close();
      }
      entries.push({ path: resolved.relative, existed: true, copy });
    }
    const manifest: Manifest = { version: 1, workspace: guard.root, createdAt: new Date().toISOString(), label, entries };
    writeFileAtomic(dir, "manifest.json", JSON.stringify(manifest, null, 2), 0o600);
    return id;
  } finally {
    dir.close();
  }
}

export interface RevertResult {
  restored: string[];
  removed: string[];
}

interface CheckpointRef {
  workspace: string;
  checkpointDir: string;
  checkpointId: string;
}

/** The checked checkpoint folder (its path, and a no-follow handle the caller closes) and its manifest, which must belong to this workspace. */
async function loadCheckpoint(options: CheckpointRef): Promise<{ guard: PathGuard; dir: string; handle: SafeDir; manifest: Manifest }> {
  if (!ID.test(options.checkpointId)) {
    throw new AppError("bad_request", "Unknown checkpoint.", { reason: "bad_checkpoint_id", checkpointId: options.checkpointId });
  }
  const guard = await PathGuard.create(options.workspace);
  const root = await checkCheckpointDir(guard.root, options.checkpointDir);
  const dir = join(root, options.checkpointId);
  let handle: SafeDir;
  let manifest: Manifest;
  try {
    handle = openCheckpoint(guard.root, root, options.checkpointId, false);
  } catch {
    throw new AppError("not_found", "That checkpoint does not exist.", { reason: "checkpoint_missing", checkpointId: options.checkpointId });
  }
  try {
    manifest = JSON.parse(handle.readFile("manifest.json", MAX_COPY_BYTES).data.toString("utf8")) as Manifest;
  } catch {
    handle.close();
    throw new AppError("not_found", "That checkpoint does not exist.", { reason: "checkpoint_missing", checkpointId: options.checkpointId });
  }
  if (manifest.workspace !== guard.root) {
    handle.close();
    throw new AppError("bad_request", "That checkpoint belongs to another workspace.", { reason: "checkpoint_other_workspace" });
  }
  return { guard, dir, handle, manifest };
}

const copyName = (copy: string) => copy.replace(/[^a-z0-9-]/g, "");
const savedCopy = (dir: string, copy: string) => join(dir, copyName(copy));

export interface CheckpointFile {
  /** Workspace-relative. */
  path: string;
  /** The saved copy of the file as it was before the change; null when the change created it. */
  savedCopy: string | null;
}

/** What a checkpoint saved, for showing the change (the caller reads the copies, with its own size cap). */
export async function readCheckpoint(options: CheckpointRef): Promise<CheckpointFile[]> {
  const { dir, handle, manifest } = await loadCheckpoint(options);
  handle.close();
  return manifest.entries.map((entry) => ({ path: entry.path, savedCopy: entry.existed && entry.copy ? savedCopy(dir, entry.copy) : null }));
}

/** Puts every file of a checkpoint back as it was; files the agent created are deleted. */
export async function revertCheckpoint(options: CheckpointRef): Promise<RevertResult> {
  const { guard, handle, manifest } = await loadCheckpoint(options);
  const result: RevertResult = { restored: [], removed: [] };
  try {
    for (const entry of [...manifest.entries].reverse()) {
      if (entry.existed && entry.copy) {
        await guard.writeFile(entry.path, handle.readFile(copyName(entry.copy), MAX_COPY_BYTES).data);
        result.restored.push(entry.path);
      } else if (await guard.removeFile(entry.path)) {
        // removeFile refuses folders, hardlinks and protected paths, and never follows a symlink
        result.removed.push(entry.path);
      }
    }
  } finally {
    handle.close();
  }
  return result;
}

