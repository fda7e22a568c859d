/**
 * MiniMax-M3 output parsing: the same events as M2's parser (app/m2/parser-events.ts), so every
 * consumer works unchanged. Rules: parser-stream.ts (reasoning, content) and parser-block.ts (calls).
 */
import type { M2ParsedOutput } from "../m2/parser-output";
import { summarizeM2Events } from "../m2/parser-output";
import { createM3StreamParser, type M3StreamParserOptions } from "./parser-stream";

export { createM3StreamParser, type M3StreamParserOptions } from "./parser-stream";

/** Parses a complete model output (as if generation stopped normally) with the streaming parser. */
export function parseM3Output(raw: string, options: M3StreamParserOptions = {}): M2ParsedOutput {
  const parser = createM3StreamParser(options);
  return summarizeM2Events([...parser.push(raw), ...parser.end("stop")]);
}
