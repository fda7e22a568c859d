import type { ModelProtocol } from "../family/protocol";
import { createM2StreamParser } from "./parser";
import { renderM2Prompt } from "./prompt";

/** MiniMax-M2's protocol (October 2025): its template, `<think>` prefilled, `<minimax:tool_call>` blocks. */
export const m2Protocol: ModelProtocol = {
  renderPrompt: (request) => renderM2Prompt(request),
  createParser: (options) => createM2StreamParser(options ?? {}),
  generationPrefill: "<think>\n",
  stopStrings: [],
  reasoningInHistory: "after-last-user",
};
