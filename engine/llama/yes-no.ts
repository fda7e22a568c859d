import type { Token } from "node-llama-cpp";

/** Tokens past this much cumulative probability are not read: what is left cannot move the sums measurably. */
const MASS_READ = 1 - 1e-6;
/** And never more than this many of the most likely tokens (a flat distribution over a 200K vocab). */
const MAX_READ = 4096;

export type YesNo = { pYes: number; pNo: number; score: number };

/**
 * Sums a next-token distribution (sorted, most likely first, as node-llama-cpp returns it) over the tokens that
 * spell the answer on their own: YES / Yes / yes and NO / No / no, with any surrounding whitespace. `text` gives
 * a token's text (cached by the caller: one vocabulary, many questions).
 */
export function yesNoProbabilities(probabilities: ReadonlyMap<Token, number>, text: (token: Token) => string): YesNo {
  let pYes = 0;
  let pNo = 0;
  let mass = 0;
  let read = 0;
  for (const [token, p] of probabilities) {
    const word = text(token).trim().toLowerCase();
    if (word === "yes") pYes += p;
    else if (word === "no") pNo += p;
    mass += p;
    if (++read >= MAX_READ || mass >= MASS_READ) break;
  }
  pYes = Math.min(1, pYes);
  pNo = Math.min(1, pNo);
  // With (almost) no mass on either answer the question told nothing: neither side is preferred.
  const score = pYes + pNo > 1e-12 ? pYes / (pYes + pNo) : 0.5;
  return { pYes, pNo, score };
}
