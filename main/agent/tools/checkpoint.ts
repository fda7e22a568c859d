import { randomBytes } from "node:crypto";
import { mkdir, readFile, realpath, rm, writeFile } from "node:fs/promises";
import { join, sep } from "node:path";
import { AppError } from "../../../app/contract/errors";
import { PathGuard } from "../paths";

/**
 * Before the agent writes or edits a file, its previous state is saved so the UI can revert:
 * `<checkpointDir>/<id>/manifest.json` plus a copy of each file that existed. The folder is the
 * caller's, outside the workspace or under its read-only `.m2d/`, so a sandboxed command cannot
 * doctor what a revert would restore.
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

export async function checkCheckpointDir(workspace: string, checkpointDir: string): Promise<string> {
  await mkdir(checkpointDir, { recursive: true });
  const real = await realpath(checkpointDir);
  const inside = real === workspace || real.startsWith(workspace + sep);
  const underM2d = real.startsWith(join(workspace, ".m2d") + sep);
  if (inside && !underM2d) {
    throw new AppError("bad_request", "The checkpoint folder must be outside the workspace (or under its .m2d folder).", {
      reason: "checkpoint_dir_inside_workspace",
      path: real,
    });
  }
  return real;
}

/** Saves the current state of `paths` (workspace-relative, already checked for writing). */
export async function createCheckpoint(guard: PathGuard, checkpointDir: string, paths: string[], label: string): Promise<string> {
  const root = await checkCheckpointDir(guard.root, checkpointDir);
  const id = `cp-${Date.now()}-${randomBytes(4).toString("hex")}`;
  const dir = join(root, id);
  await mkdir(dir);
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
      await writeFile(join(dir, copy), await handle.readFile());
    } finally {
      await handle.close();
    }
    entries.push({ path: resolved.relative, existed: true, copy });
  }
  const manifest: Manifest = { version: 1, workspace: guard.root, createdAt: new Date().toISOString(), label, entries };
  await writeFile(join(dir, "manifest.json"), JSON.stringify(manifest, null, 2));
  return id;
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

/** The checked checkpoint folder and its manifest, which must belong to this workspace. */
async function loadCheckpoint(options: CheckpointRef): Promise<{ guard: PathGuard; dir: string; manifest: Manifest }> {
  if (!ID.test(options.checkpointId)) {
    throw new AppError("bad_request", "Unknown checkpoint.", { reason: "bad_checkpoint_id", checkpointId: options.checkpointId });
  }
  const guard = await PathGuard.create(options.workspace);
  const root = await checkCheckpointDir(guard.root, options.checkpointDir);
  const dir = join(root, options.checkpointId);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch {
    throw new AppError("not_found", "That checkpoint does not exist.", { reason: "checkpoint_missing", checkpointId: options.checkpointId });
  }
  if (manifest.workspace !== guard.root) {
    throw new AppError("bad_request", "That checkpoint belongs to another workspace.", { reason: "checkpoint_other_workspace" });
  }
  return { guard, dir, manifest };
}

const savedCopy = (dir: string, copy: string) => join(dir, copy.replace(/[^a-z0-9-]/g, ""));

export interface CheckpointFile {
  /** Workspace-relative. */
  path: string;
  /** The saved copy of the file as it was before the change; null when the change created it. */
  savedCopy: string | null;
}

/** What a checkpoint saved, for showing the change (the caller reads the copies, with its own size cap). */
export async function readCheckpoint(options: CheckpointRef): Promise<CheckpointFile[]> {
  const { dir, manifest } = await loadCheckpoint(options);
  return manifest.entries.map((entry) => ({ path: entry.path, savedCopy: entry.existed && entry.copy ? savedCopy(dir, entry.copy) : null }));
}

/** Puts every file of a checkpoint back as it was; files the agent created are deleted. */
export async function revertCheckpoint(options: CheckpointRef): Promise<RevertResult> {
  const { guard, dir, manifest } = await loadCheckpoint(options);
  const result: RevertResult = { restored: [], removed: [] };
  for (const entry of [...manifest.entries].reverse()) {
    if (entry.existed && entry.copy) {
      const saved = savedCopy(dir, entry.copy);
      await guard.writeFile(entry.path, await readFile(saved));
      result.restored.push(entry.path);
    } else {
      const current = await guard.resolve(entry.path);
      if (current.stats) {
        await guard.forWrite(entry.path); // refuses folders, hardlinks and protected paths
        await rm(current.absolute, { force: true });
        result.removed.push(entry.path);
      }
    }
  }
  return result;
}

