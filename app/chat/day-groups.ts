import type { Conversation, ConversationGroup, DayGroupId } from "./types";

const LABELS: Record<DayGroupId, string> = {
  pinned: "Pinned",
  today: "Today",
  yesterday: "Yesterday",
  previous7Days: "Previous 7 days",
  older: "Older",
};
const ORDER: DayGroupId[] = ["pinned", "today", "yesterday", "previous7Days", "older"];

/** Local midnight `daysBack` calendar days before `now` (calendar arithmetic, so DST days count as one). */
function startOfDay(now: number, daysBack: number): number {
  const d = new Date(now);
  d.setHours(0, 0, 0, 0);
  d.setDate(d.getDate() - daysBack);
  return d.getTime();
}

/** Which history group a conversation falls in, by last activity in local time relative to `now`. */
export function dayGroupOf(conversation: Pick<Conversation, "pinned" | "updatedAt">, now: number): DayGroupId {
  if (conversation.pinned) return "pinned";
  const t = conversation.updatedAt;
  if (t >= startOfDay(now, 0)) return "today"; // later than now (clock skew) counts as today too
  if (t >= startOfDay(now, 1)) return "yesterday";
  if (t >= startOfDay(now, 7)) return "previous7Days";
  return "older";
}

/** Pinned first, then by day; newest first inside a group; empty groups left out. */
export function groupByDay(conversations: readonly Conversation[], now: number): ConversationGroup[] {
  const buckets = new Map<DayGroupId, Conversation[]>();
  for (const c of conversations) {
    const id = dayGroupOf(c, now);
    const list = buckets.get(id) ?? [];
    list.push(c);
    buckets.set(id, list);
  }
  return ORDER.flatMap((id) => {
    const list = buckets.get(id);
    if (!list) return [];
    list.sort((a, b) => b.updatedAt - a.updatedAt || a.id.localeCompare(b.id));
    return [{ id, label: LABELS[id], conversations: list }];
  });
}
