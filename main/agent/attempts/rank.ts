/**
 * R2E-Gym's hybrid ranking of best-of-N attempts (arXiv 2504.07164): the execution-free verifier keeps the top half,
 * then execution decides among them (regression tests passed, then the reproduction tests' pass fraction), ties by
 * verifier score, then index. Pure: the service feeds it what each attempt produced.
 */

export interface TestCounts {
  passed: number;
  failed: number;
}

/** What the ranking reads of each attempt. */
export interface RankInput {
  index: number;
  failed: boolean;
  /** The verifier's p(YES) in [0, 1]; null when no score was available. */
  verifier: number | null;
  regression: TestCounts | null;
  reproduction: TestCounts | null;
}

export type Ranked = { index: number; rank: number | null; reasons: string[] }[];

const score = (value: number) => value.toFixed(2);
const fraction = (counts: TestCounts | null) => (counts && counts.passed + counts.failed > 0 ? counts.passed / (counts.passed + counts.failed) : -1);
/** Missing scores sort below every real one. */
const verifierOf = (input: RankInput) => input.verifier ?? -1;

function testReasons(input: RankInput): string[] {
  const reasons: string[] = [];
  const { regression, reproduction } = input;
  if (regression) reasons.push(`regression ${regression.passed}/${regression.passed + regression.failed} passed`);
  if (reproduction) reasons.push(`reproduction ${reproduction.passed}/${reproduction.passed + reproduction.failed}`);
  return reasons;
}

const byTests = (a: RankInput, b: RankInput) =>
  (b.regression?.passed ?? -1) - (a.regression?.passed ?? -1) ||
  fraction(b.reproduction) - fraction(a.reproduction) ||
  verifierOf(b) - verifierOf(a) ||
  a.index - b.index;

export function rankAttempts(inputs: readonly RankInput[]): Ranked {
  const ok = inputs.filter((input) => !input.failed);
  const reasons = new Map<number, string[]>();
  let kept: RankInput[];
  let dropped: RankInput[] = [];
  if (ok.every((input) => input.verifier !== null)) {
    const byVerifier = [...ok].sort((a, b) => verifierOf(b) - verifierOf(a) || a.index - b.index);
    const keep = Math.ceil(ok.length / 2);
    kept = byVerifier.slice(0, keep);
    dropped = byVerifier.slice(keep);
    for (const input of kept) reasons.set(input.index, [`verifier ${score(input.verifier!)}, top half of ${ok.length}`, ...testReasons(input)]);
    for (const input of dropped) reasons.set(input.index, [`dropped: verifier ${score(input.verifier!)} below the top half`, ...testReasons(input)]);
  } else {
    // Without a score for every attempt the top half is undefined: all are kept and the tests decide.
    kept = [...ok];
    for (const input of ok) {
      const verifier = input.verifier === null ? "no verifier score: ranked by tests only" : `verifier ${score(input.verifier)} (not every attempt has a score: ranked by tests only)`;
      reasons.set(input.index, [verifier, ...testReasons(input)]);
    }
  }
  const order = [...kept.sort(byTests), ...dropped];
  return inputs.map((input) => {
    if (input.failed) return { index: input.index, rank: null, reasons: ["failed: nothing to rank"] };
    return { index: input.index, rank: order.indexOf(input) + 1, reasons: reasons.get(input.index) ?? [] };
  });
}
