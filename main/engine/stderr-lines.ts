/** Longest stderr line kept whole; a longer one (a binary dump) is cut, not buffered without end. */
const MAX_LINE_CHARS = 4_096;

/** Calls `listener` once per complete line the engine writes to stderr (and once for a last unterminated one). */
export function forwardLines(stream: NodeJS.ReadableStream | null | undefined, listener: (line: string) => void): void {
  if (!stream) return;
  stream.setEncoding("utf8");
  let partial = "";
  const emit = (line: string) => {
    const text = line.replace(/\r$/, "");
    if (text.trim() !== "") listener(text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}…` : text);
  };
  stream.on("data", (chunk: string) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    if (partial.length > MAX_LINE_CHARS) {
      emit(partial);
      partial = "";
    }
    for (const line of lines) emit(line);
  });
  stream.on("end", () => {
    if (partial) emit(partial);
    partial = "";
  });
  stream.on("error", () => undefined); // a pipe torn down with the process: nothing more to read
}
