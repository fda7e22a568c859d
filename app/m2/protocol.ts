import type { ModelProtocol } from "../family/protocol";
import { createM2StreamParser, type M2StreamParserOptions } from "./parser";
import { BLOCK_OPEN } from "./parser-tool-block";
import { M2_TEMPLATE, renderM2Prompt, type M2TemplateVariant } from "./prompt";
import { recognizeM2Template } from "./template-detect";

/**
 * The protocol of MiniMax-M2 and its successors on the same architecture (M2.1, M2.5, M2.7):
 * `<think>` prefilled, interleaved reasoning kept for the current tool loop, `<minimax:tool_call>`
 * blocks. They differ only in their template's details (`variant`) and in how their output
 * goes wrong (`parsing`).
 */
export function m2FamilyProtocol(
  variant: M2TemplateVariant,
  parsing: Pick<M2StreamParserOptions, "unclosedReasoningIsAnswer"> = {},
): ModelProtocol {
  return {
    renderPrompt: (request) => renderM2Prompt(request, variant),
    createParser: (options) => createM2StreamParser({ ...options, ...parsing }),
    generationPrefill: "<think>\n",
    // What the template writes between the reasoning and the answer.
    answerPrimer: () => "</think>\n\n",
    stopStrings: [],
    reasoningInHistory: "after-last-user",
    // M2 calls tools after its reasoning: `</think>\n\n<minimax:tool_call>\n<invoke name="…">`.
    toolCallOpener: { reasoningEnd: "</think>", opener: (name) => `\n\n${BLOCK_OPEN}\n${name === undefined ? "" : `<invoke name="${name}">\n`}` },
    // A GGUF's own revision of M2's template (its identity, the null-content fix) is rendered with its own values.
    forTemplate: (embedded, reference) => {
      const revision = recognizeM2Template(embedded, reference);
      return revision === undefined ? undefined : m2FamilyProtocol(revision, parsing);
    },
  };
}

/** MiniMax-M2's protocol (October 2025). */
export const m2Protocol: ModelProtocol = m2FamilyProtocol(M2_TEMPLATE);
