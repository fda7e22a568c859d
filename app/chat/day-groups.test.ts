import { describe, expect, it } from "vitest";
import { dayGroupOf, groupByDay } from "./day-groups";
import { CHAT_SETTINGS_DEFAULTS, type Conversation } from "./types";

const now = new Date(2025, 5, 15, 9, 30).getTime(); // a Sunday morning, local time
const at = (y: number, mo: number, d: number, h = 12) => new Date(y, mo, d, h).getTime();

function conv(id: string, updatedAt: number, pinned = false): Conversation {
  return {
    id, title: id, titleIsAuto: false, pinned, kind: "chat", settings: { ...CHAT_SETTINGS_DEFAULTS },
    createdAt: updatedAt, updatedAt,
  };
}

describe("day groups (local calendar days relative to the given now)", () => {
  it("puts local midnight boundaries in the right group", () => {
    expect(dayGroupOf(conv("a", new Date(2025, 5, 15, 0, 0).getTime()), now)).toBe("today");
    expect(dayGroupOf(conv("a", new Date(2025, 5, 15, 0, 0).getTime() - 1), now)).toBe("yesterday");
    expect(dayGroupOf(conv("a", new Date(2025, 5, 14, 0, 0).getTime()), now)).toBe("yesterday");
    expect(dayGroupOf(conv("a", new Date(2025, 5, 14, 0, 0).getTime() - 1), now)).toBe("previous7Days");
    expect(dayGroupOf(conv("a", new Date(2025, 5, 8, 0, 0).getTime()), now)).toBe("previous7Days");
    expect(dayGroupOf(conv("a", new Date(2025, 5, 8, 0, 0).getTime() - 1), now)).toBe("older");
    expect(dayGroupOf(conv("a", now + 60_000), now)).toBe("today");
  });

  it("lists pinned first, then by day, newest first, without empty groups", () => {
    const groups = groupByDay(
      [
        conv("old", at(2024, 0, 1)),
        conv("today-early", at(2025, 5, 15, 1)),
        conv("pinned-old", at(2023, 0, 1), true),
        conv("today-late", at(2025, 5, 15, 9)),
        conv("week", at(2025, 5, 10)),
      ],
      now,
    );
    expect(groups.map((g) => [g.label, g.conversations.map((c) => c.id)])).toEqual([
      ["Pinned", ["pinned-old"]],
      ["Today", ["today-late", "today-early"]],
      ["Previous 7 days", ["week"]],
      ["Older", ["old"]],
    ]);
  });
});
