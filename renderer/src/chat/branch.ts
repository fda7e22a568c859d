import type { BranchView, SiblingInfo, StoredMessage } from "../../../app/chat/types";

export type ViewItem = BranchView["messages"][number];

/**
 * Folds a message the backend pushed into the branch on screen. A known message is
 * replaced; a child of a message in view becomes the branch from there on (a new
 * answer, a regeneration, an edit). Anything else returns null: refetch the branch.
 */
export function upsertMessage(items: readonly ViewItem[], message: StoredMessage): ViewItem[] | null {
  const at = items.findIndex((i) => i.message.id === message.id);
  if (at !== -1) {
    const current = items[at];
    if (!current || current.message === message) return items.slice();
    const next = items.slice();
    next[at] = { message, siblings: current.siblings };
    return next;
  }
  const parentAt = message.parentId === null ? -1 : items.findIndex((i) => i.message.id === message.parentId);
  if (message.parentId !== null && parentAt === -1) return null;
  const replaced = items[parentAt + 1];
  return [...items.slice(0, parentAt + 1), { message, siblings: addSibling(replaced?.siblings, message.id) }];
}

function addSibling(siblings: SiblingInfo | undefined, id: string): SiblingInfo {
  if (!siblings) return { index: 0, count: 1, ids: [id] };
  const ids = siblings.ids.includes(id) ? siblings.ids : [...siblings.ids, id];
  return { index: ids.indexOf(id), count: ids.length, ids };
}

/** The sibling `step` places away (‹ is -1, › is +1), if any. */
export function siblingAt(siblings: SiblingInfo, step: number): string | undefined {
  return siblings.ids[siblings.index + step];
}

export interface SnippetSegment {
  text: string;
  mark: boolean;
}

/** A search snippet with « » around the matches → text and marked segments (rendered as <mark>, never as HTML). */
export function snippetSegments(snippet: string): SnippetSegment[] {
  const out: SnippetSegment[] = [];
  const re = /«([^«»]*)»/g;
  let last = 0;
  for (const m of snippet.matchAll(re)) {
    if (m.index > last) out.push({ text: snippet.slice(last, m.index), mark: false });
    out.push({ text: m[1] ?? "", mark: true });
    last = m.index + m[0].length;
  }
  if (last < snippet.length) out.push({ text: snippet.slice(last), mark: false });
  return out;
}
