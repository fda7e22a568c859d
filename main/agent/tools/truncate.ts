/** What a single tool result may put into the model's context. */
export const RESULT_CAP_BYTES = 48 * 1024;

/** Keeps the head of `text` within `cap` UTF-8 bytes, cutting at a line end where one is near. */
export function headBytes(text: string, cap: number): { head: string; omittedBytes: number } {
  const total = Buffer.byteLength(text);
  if (total <= cap) return { head: text, omittedBytes: 0 };
  let head = Buffer.from(text).subarray(0, cap).toString("utf8").replace(/\uFFFD$/, "");
  const lastNewline = head.lastIndexOf("\n");
  if (lastNewline > cap / 2) head = head.slice(0, lastNewline + 1);
  return { head, omittedBytes: total - Buffer.byteLength(head) };
}

export function truncationMarker(omittedBytes: number, hint: string): string {
  return `[… truncated ${omittedBytes} bytes; ${hint}]`;
}
