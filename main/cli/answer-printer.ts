import { AppError } from "../../app/contract";
import { stylerFor } from "./terminal";

/** Where a streamed answer's reasoning goes: stderr (default: stdout carries the answer alone), inline on stdout, or nowhere. */
export const REASONING_MODES = ["stderr", "show", "hide"] as const;
export type ReasoningMode = (typeof REASONING_MODES)[number];

export function parseReasoningMode(value: string): ReasoningMode {
  const mode = REASONING_MODES.find((m) => m === value);
  if (!mode) throw new AppError("bad_request", `--reasoning must be one of ${REASONING_MODES.join(", ")}, got "${value}".`);
  return mode;
}

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

export interface AnswerPrinter {
  reasoning(text: string): void;
  content(text: string): void;
  /** Ends an open reasoning or answer line, so that what follows starts on a line of its own. */
  endLine(): void;
}

/**
 * Streams reasoning and answer deltas to the right streams: the reasoning dimmed where that stream takes colour
 * (never an escape into a pipe), the answer plain. Each stream's open line is tracked so breaks land once.
 */
export function answerPrinter(mode: ReasoningMode, out: OutputStream = process.stdout, err: OutputStream = process.stderr): AnswerPrinter {
  const reasoningStream = mode === "stderr" ? err : out;
  const dim = stylerFor(reasoningStream).dim;
  const open = new Map<OutputStream, boolean>();
  const write = (stream: OutputStream, text: string) => {
    if (text === "") return;
    stream.write(text);
    open.set(stream, !text.endsWith("\n"));
  };
  const breakLine = (stream: OutputStream) => {
    if (open.get(stream)) write(stream, "\n");
  };
  let inReasoning = false;
  return {
    reasoning(text) {
      if (mode === "hide") return;
      if (!inReasoning) breakLine(reasoningStream);
      inReasoning = true;
      write(reasoningStream, dim(text));
      open.set(reasoningStream, !text.endsWith("\n"));
    },
    content(text) {
      if (inReasoning) breakLine(reasoningStream);
      inReasoning = false;
      write(out, text);
    },
    endLine() {
      breakLine(out);
      breakLine(err);
      inReasoning = false;
    },
  };
}
