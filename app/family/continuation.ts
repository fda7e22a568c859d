import { AppError } from "../contract/errors";
import type { PartialAnswer } from "../contract/generation";
import type { ChatMessage } from "../m2/types";

/** A character no conversation holds: marks where the partial turn's text ends in the rendered prompt. */
const CUT = "\u{10FFFD}";

/**
 * The prompt that continues a partial answer: the template's own rendering of the conversation with the
 * partial assistant turn appended, cut where that turn's text ends, so its closing (the end of message, and
 * `</think>` while the thinking had not ended) is left off. `render` renders messages without a generation
 * prompt (the family's TS renderer or the GGUF's own template); one definition for every family.
 */
export function renderContinuation(render: (messages: ChatMessage[]) => string, messages: readonly ChatMessage[], partial: PartialAnswer): string {
  const turn: ChatMessage = partial.reasoningClosed
    ? { role: "assistant", reasoning_content: partial.reasoning, content: partial.content + CUT }
    : { role: "assistant", reasoning_content: partial.reasoning + CUT, content: "" };
  const rendered = render([...messages, turn]);
  const cut = rendered.indexOf(CUT);
  if (cut < 0 || rendered.indexOf(CUT, cut + 1) >= 0) {
    throw new AppError("bad_request", "This model's chat template does not render a partial answer, so it cannot be continued.");
  }
  return rendered.slice(0, cut);
}
