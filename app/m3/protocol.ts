import type { ModelProtocol } from "../family/protocol";
import { createM3StreamParser } from "./parser";
import { renderM3Prompt } from "./prompt";
import { M3_DEFAULT_THINKING_MODE, M3_THINKING_MODES, m3AnswerPrimer, m3GenerationPrefill } from "./thinking";
import type { M3PromptRequest } from "./types";

/**
 * MiniMax-M3's protocol (M3 and M3.1 on the minimax-m3 architecture): `<mm:think>` reasoning
 * prefilled per thinking mode, reasoning kept on every assistant turn, namespace-token tool blocks.
 * The app's conversation (M2's request shape) renders as M3's: its system message becomes the
 * developer prompt, as the template maps it; current_date/current_location are not in M3's template.
 */
export const m3Protocol: ModelProtocol = {
  renderPrompt: (request, options) => {
    const m3: M3PromptRequest = { messages: request.messages };
    if (request.tools !== undefined) m3.tools = request.tools;
    if (request.model_identity !== undefined) m3.model_identity = request.model_identity;
    if (request.add_generation_prompt !== undefined) m3.add_generation_prompt = request.add_generation_prompt;
    m3.thinking_mode = options?.thinking ?? M3_DEFAULT_THINKING_MODE;
    return renderM3Prompt(m3);
  },
  createParser: (options) => {
    const thinkingMode = options?.thinking ?? M3_DEFAULT_THINKING_MODE;
    return createM3StreamParser(options?.tools === undefined ? { thinkingMode } : { tools: options.tools, thinkingMode });
  },
  generationPrefill: m3GenerationPrefill(M3_DEFAULT_THINKING_MODE),
  answerPrimer: (options) => m3AnswerPrimer(options?.thinking ?? M3_DEFAULT_THINKING_MODE),
  stopStrings: [],
  reasoningInHistory: "all",
  thinking: { modes: M3_THINKING_MODES, defaultMode: M3_DEFAULT_THINKING_MODE },
};
