import type { StoredToolCall } from "../../app/chat/types";
import type { ParseErrorInfo } from "../../app/contract/generation";
import type { ToolRun } from "../agent/tools/registry";

/** What the model can do about each kind of flagged call. */
const NEXT_STEP: Partial<Record<ParseErrorInfo["code"], string>> = {
  unclosed_tool_call: "Send the complete call again; if a value is long, split the work into smaller calls.",
  argument_too_deep: "Send the call again with a value that nests less deeply.",
  unknown_parameter: "Send the call again with only the parameters the tool's schema declares.",
};

/**
 * The result of a call the parser flagged (cut off by the end of the output, an unknown tool,
 * a nameless tag, a value nested too deep). Such a call never reaches the tool runner: its
 * arguments may be partial, and a write_file cut mid-`content` would write half a file.
 * The model reads why, and what to send instead.
 */
export function flaggedCallRun(call: StoredToolCall, error: ParseErrorInfo, toolNames: readonly string[]): ToolRun {
  const subject = call.name === "" ? "Your tool call" : `Your call to ${call.name}`;
  const next = error.code === "unknown_tool" ? `The tools are: ${toolNames.join(", ")}.` : (NEXT_STEP[error.code] ?? "Send the complete call again.");
  const message = `${subject} was not run: ${error.message}. ${next}`;
  return {
    decision: null,
    approved: false,
    result: { ok: false, content: `Error: ${message}`, error: { code: "bad_request", message, details: { reason: "flagged_tool_call", parseError: error.code } } },
  };
}
