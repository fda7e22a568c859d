/**
 * Colour on the CLI's output streams: only on a terminal, never into a pipe or a file. NO_COLOR (any non-empty
 * value, https://no-color.org) turns it off and FORCE_COLOR turns it on (FORCE_COLOR=0 off), as in Node's own
 * tools; FORCE_COLOR wins when both are set. TERM=dumb is a terminal without escapes.
 */
export function colorEnabled(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return stream.isTTY === true;
}

export interface Styler {
  dim(text: string): string;
}

/** Dims text on a stream that takes colour; leaves it as it is otherwise. */
export function stylerFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Styler {
  const on = colorEnabled(stream, env);
  return { dim: (text) => (on && text !== "" ? `\x1b[2m${text}\x1b[0m` : text) };
}
