/**
 * What a person typed at `m2d agent`'s approval question. `y` approves, `a` approves and always allows (when
 * offered), `n <reason>` declines saying why (the model reads the reason in the tool result), a bare `n`
 * declines and asks for an optional reason on the next line, and anything else (Enter) declines.
 */
export type ApprovalAnswer =
  | { kind: "approve"; always: boolean }
  | { kind: "decline"; reason?: string }
  | { kind: "ask_reason" };

export function parseApprovalAnswer(answer: string, canAlways: boolean): ApprovalAnswer {
  const text = answer.trim();
  if (/^y(es)?$/i.test(text)) return { kind: "approve", always: false };
  if (canAlways && /^a(lways)?$/i.test(text)) return { kind: "approve", always: true };
  const no = /^no?(?:\s+([\s\S]+))?$/i.exec(text);
  if (!no) return { kind: "decline" };
  const reason = no[1]?.trim();
  return reason ? { kind: "decline", reason } : { kind: "ask_reason" };
}

export const REASON_QUESTION = "  Why not? (the model reads this; Enter to skip) ";
