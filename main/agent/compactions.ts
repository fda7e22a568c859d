import { randomUUID } from "node:crypto";
import type { StoredMessage } from "../../app/chat/types";
import { AppError } from "../../app/contract";
import type { Compaction } from "../../app/contract/agent-api";
import type { Db } from "../storage/database";

interface CompactionRow {
  id: string;
  conversation_id: string;
  summary_message_id: string;
  kept_from_message_id: string;
  summary: string;
  plan: string | null;
  changed_files: string;
  prompt_tokens_before: number;
  context_size: number;
  cause: Compaction["trigger"];
  created_at: number;
}

function fromRow(r: CompactionRow): Compaction {
  return {
    id: r.id,
    conversationId: r.conversation_id,
    summaryMessageId: r.summary_message_id,
    keptFromMessageId: r.kept_from_message_id,
    summary: r.summary,
    plan: r.plan,
    changedFiles: JSON.parse(r.changed_files) as string[],
    promptTokensBefore: r.prompt_tokens_before,
    contextSize: r.context_size,
    trigger: r.cause,
    createdAt: r.created_at,
  };
}

/** The agent_compactions table: append-only, one row per compaction. */
export class CompactionStore {
  constructor(private readonly db: Db) {}

  add(entry: Omit<Compaction, "id" | "createdAt">): Compaction {
    const compaction: Compaction = { ...entry, id: randomUUID(), createdAt: Date.now() };
    try {
      this.db
        .prepare(
          `INSERT INTO agent_compactions (id, conversation_id, summary_message_id, kept_from_message_id, summary, plan, changed_files,
             prompt_tokens_before, context_size, cause, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          compaction.id, compaction.conversationId, compaction.summaryMessageId, compaction.keptFromMessageId, compaction.summary,
          compaction.plan, JSON.stringify(compaction.changedFiles), compaction.promptTokensBefore, compaction.contextSize,
          compaction.trigger, compaction.createdAt,
        );
    } catch (error) {
      throw new AppError("storage", `Could not store the compaction: ${AppError.from(error).message}`, { conversationId: entry.conversationId });
    }
    return compaction;
  }

  list(conversationId: string): Compaction[] {
    const rows = this.db
      .prepare("SELECT * FROM agent_compactions WHERE conversation_id = ? ORDER BY created_at, rowid")
      .all(conversationId) as CompactionRow[];
    return rows.map(fromRow);
  }

  /** The compaction that applies to this branch: the one whose summary is latest in it. */
  latestOn(conversationId: string, path: readonly StoredMessage[]): Compaction | null {
    const at = new Map(path.map((m, i) => [m.id, i]));
    let best: { compaction: Compaction; index: number } | null = null;
    for (const compaction of this.list(conversationId)) {
      const index = at.get(compaction.summaryMessageId);
      if (index !== undefined && (!best || index > best.index)) best = { compaction, index };
    }
    return best?.compaction ?? null;
  }

  /** Paths the run's calls changed (those that made a checkpoint), first change first, each once. */
  changedFiles(conversationId: string): string[] {
    const rows = this.db
      .prepare("SELECT arguments FROM tool_runs WHERE conversation_id = ? AND checkpoint_id IS NOT NULL ORDER BY started_at, rowid")
      .all(conversationId) as Array<{ arguments: string }>;
    const paths = rows.map((r) => (JSON.parse(r.arguments) as { path?: unknown }).path).filter((p): p is string => typeof p === "string");
    return [...new Set(paths)];
  }
}
