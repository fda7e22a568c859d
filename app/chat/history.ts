import { familyById, type ModelFamilyId } from "../family";
import type { ChatMessage } from "../m2/types";
import type { ChatSettings, StoredMessage } from "./types";

/**
 * Which assistant turns carry their reasoning back to the model.
 * - "afterLastUser" (default): only turns after the last user message, i.e. the
 *   current tool loop. This is exactly what M2's template keeps (interleaved
 *   thinking), so the prompt does not depend on a renderer dropping old reasoning,
 *   and the request stays small.
 * - "all": every turn; the official template drops the old ones itself.
 * Both give the same prompt through renderM2Prompt (history.test.ts checks it).
 */
export type ReasoningPolicy = "afterLastUser" | "all";

export interface BuildHistoryOptions {
  reasoning?: ReasoningPolicy;
}

/**
 * The policy the loaded family's template wants (ModelProtocol.reasoningInHistory): M3 renders the reasoning
 * of every assistant turn, so dropping old reasoning would change its prompt; M2's keeps the current tool loop's.
 */
export function reasoningPolicyFor(family: ModelFamilyId | undefined): ReasoningPolicy {
  return family !== undefined && familyById(family)?.protocol.reasoningInHistory === "all" ? "all" : "afterLastUser";
}

/** Failed turns and empty stubs left by a crash or a stop never reach the model. */
function isUsable(m: StoredMessage): boolean {
  if (m.status === "error") return false;
  const empty = m.content === "" && m.reasoning === "" && m.toolCalls.length === 0;
  if (empty && (m.status === "interrupted" || m.status === "streaming" || m.status === "stopped")) return false;
  return true;
}

/**
 * The M2 wire messages for one branch (root→leaf, as listBranchPath returns it).
 * The system prompt comes from the settings, else from the first stored system
 * message; later system messages are dropped (the template ignores them too).
 */
export function buildM2Messages(
  path: readonly StoredMessage[],
  settings: Pick<ChatSettings, "systemPrompt">,
  options: BuildHistoryOptions = {},
): ChatMessage[] {
  const policy = options.reasoning ?? "afterLastUser";
  const usable = path.filter(isUsable);
  const storedSystem = usable.find((m) => m.role === "system");
  const systemText = settings.systemPrompt?.trim() ? settings.systemPrompt : storedSystem?.content;
  const turns = usable.filter((m) => m.role !== "system");
  const lastUser = turns.findLastIndex((m) => m.role === "user");

  const out: ChatMessage[] = [];
  if (systemText) out.push({ role: "system", content: systemText });
  // A tool result must follow an assistant turn that called tools, or the template raises.
  let toolResultsAllowed = false;
  turns.forEach((m, i) => {
    switch (m.role) {
      case "user":
        out.push({ role: "user", content: m.content });
        toolResultsAllowed = false;
        break;
      case "assistant": {
        const keep = policy === "all" || i > lastUser;
        out.push({
          role: "assistant",
          content: m.content,
          // Always a string: with none the template would re-split `<think>` out of content.
          reasoning_content: keep ? m.reasoning : "",
          ...(m.toolCalls.length > 0 && {
            tool_calls: m.toolCalls.map((c) => ({
              id: c.id,
              type: "function" as const,
              function: { name: c.name, arguments: c.arguments },
            })),
          }),
        });
        toolResultsAllowed = m.toolCalls.length > 0;
        break;
      }
      case "tool":
        if (!toolResultsAllowed) break;
        out.push({
          role: "tool",
          content: m.content,
          ...(m.toolCallId !== undefined && { tool_call_id: m.toolCallId }),
          ...(m.toolName !== undefined && { name: m.toolName }),
        });
        break;
    }
  });
  return out;
}
