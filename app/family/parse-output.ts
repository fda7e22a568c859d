import { summarizeM2Events, type M2ParsedOutput, type M2StreamParserOptions } from "../m2/parser";
import type { ModelProtocol, RenderOptions } from "./protocol";

/** A whole output (what the model wrote after the generation prefill) through a family's parser, summarised. */
export function parseOutput(protocol: ModelProtocol, raw: string, options: M2StreamParserOptions & RenderOptions = {}): M2ParsedOutput {
  const parser = protocol.createParser(options);
  return summarizeM2Events([...parser.push(raw), ...parser.end("stop")]);
}
