import { describe, expect, it } from "vitest";
import { rankAttempts, type RankInput } from "./rank";

const at = (index: number, verifier: number | null, regression?: [number, number], reproduction?: [number, number], failed = false): RankInput => ({
  index, failed, verifier,
  regression: regression ? { passed: regression[0], failed: regression[1] } : null,
  reproduction: reproduction ? { passed: reproduction[0], failed: reproduction[1] } : null,
});
const ranks = (inputs: RankInput[]) => rankAttempts(inputs).map((r) => r.rank);

describe("rankAttempts (R2E-Gym hybrid)", () => {
  it.each([
    { name: "one attempt", inputs: [at(0, 0.3, [1, 0])], expected: [1] },
    { name: "top half by verifier, then regression decides", inputs: [at(0, 0.9, [5, 5]), at(1, 0.8, [10, 0]), at(2, 0.1, [12, 0]), at(3, 0.2, [12, 0])], expected: [2, 1, 4, 3] },
    { name: "odd n keeps ceil(n/2)", inputs: [at(0, 0.5, [1, 2]), at(1, 0.6, [3, 0]), at(2, 0.4, [9, 0])], expected: [2, 1, 3] },
    { name: "regression tie: reproduction fraction decides", inputs: [at(0, 0.9, [4, 0], [1, 3]), at(1, 0.7, [4, 0], [3, 3]), at(2, 0.1), at(3, 0.2)], expected: [2, 1, 4, 3] },
    { name: "tests tie: verifier decides", inputs: [at(0, 0.6, [2, 0], [1, 1]), at(1, 0.8, [2, 0], [1, 1])], expected: [2, 1] },
    { name: "everything ties: index decides", inputs: [at(0, 0.5, [2, 0]), at(1, 0.5, [2, 0]), at(2, 0.5, [2, 0]), at(3, 0.5, [2, 0])], expected: [1, 2, 3, 4] },
    { name: "failed attempts get no rank and do not count for the half", inputs: [at(0, null, undefined, undefined, true), at(1, 0.2, [1, 0]), at(2, 0.9, [0, 1])], expected: [null, 2, 1] },
    { name: "all failed", inputs: [at(0, 0.9, [1, 0], undefined, true), at(1, null, undefined, undefined, true)], expected: [null, null] },
    { name: "no tests at all: verifier order", inputs: [at(0, 0.1), at(1, 0.9), at(2, 0.5)], expected: [3, 1, 2] },
    { name: "missing scores: ranked by tests only", inputs: [at(0, null, [1, 3]), at(1, 0.9, [0, 4]), at(2, null, [4, 0])], expected: [2, 3, 1] },
  ])("$name", ({ inputs, expected }) => {
    expect(ranks(inputs)).toEqual(expected);
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])("n=%i: ranks are 1..n, the top ceil(n/2) by verifier first, ordered by regression", (n) => {
    // Verifier falls with the index; regression passes rise with it, so inside the kept half the last index wins.
    const inputs = Array.from({ length: n }, (_, i) => at(i, 1 - i / 10, [i, 0]));
    const keep = Math.ceil(n / 2);
    const expected = Array.from({ length: n }, (_, i) => (i < keep ? keep - i : i + 1));
    expect(ranks(inputs)).toEqual(expected);
    expect([...ranks(inputs)].sort((a, b) => a! - b!)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it("says why in words", () => {
    const ranked = rankAttempts([at(0, 0.91, [12, 0], [2, 1]), at(1, 0.12, [12, 0]), at(2, 0.5, [3, 9]), at(3, null, undefined, undefined, true)]);
    expect(ranked[0]).toEqual({ index: 0, rank: 1, reasons: ["verifier 0.91, top half of 3", "regression 12/12 passed", "reproduction 2/3"] });
    expect(ranked[1]).toEqual({ index: 1, rank: 3, reasons: ["dropped: verifier 0.12 below the top half", "regression 12/12 passed"] });
    expect(ranked[2]!.reasons).toEqual(["verifier 0.50, top half of 3", "regression 3/12 passed"]);
    expect(ranked[3]).toEqual({ index: 3, rank: null, reasons: ["failed: nothing to rank"] });
  });

  it("a missing score is said, not a crash", () => {
    const ranked = rankAttempts([at(0, null, [1, 0]), at(1, 0.4, [0, 1])]);
    expect(ranked[0]!.reasons[0]).toBe("no verifier score: ranked by tests only");
    expect(ranked[1]!.reasons[0]).toContain("ranked by tests only");
    expect(ranked.map((r) => r.rank)).toEqual([1, 2]);
  });
});
