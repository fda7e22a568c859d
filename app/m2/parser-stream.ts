import type {
  M2EndReason,
  M2FinishReason,
  M2ParseEvent,
  M2StreamParser,
  M2StreamParserOptions,
} from "./parser-events";
import { FenceTracker } from "./parser-fence";
import { EventSink, InputBuffer } from "./parser-io";
import { findEarliest, heldSuffixLength } from "./parser-scan";
import { BLOCK_OPEN, ToolBlock, type CallCounter } from "./parser-tool-block";
import { createToolRegistry, type ToolRegistry } from "./parser-tools";

/*
 * Output layout (the prompt already ends with "<think>\n"):
 *   {reasoning}\n</think>\n\n{content}\n<minimax:tool_call>...</minimax:tool_call>
 *
 * Newlines the chat template adds around markup are trimmed so that a parsed message,
 * re-rendered by the template, parses back the same: one newline at each end of the
 * reasoning, up to two after </think>, and the one newline before a tool block.
 *
 * Where markup is recognized:
 * - Reasoning ends at any </think>. A <minimax:tool_call> at the start of a reasoning
 *   line, outside a code fence, also ends it (parse_error missing_think_end): the model
 *   skipped </think>, and its call must not be lost. Any other tag-like text is reasoning.
 * - In content a tool block opens anywhere, mid-line too ("Let me check.<minimax:tool_call>"),
 *   as MiniMax's reference parser (vLLM minimax_m2) and llama.cpp accept it, except where the
 *   model quotes it: inside a ``` / ~~~ fence or `inline code` (see parser-fence). An unclosed
 *   fence therefore turns a later tool block into text: the model's own markdown decides.
 * - A </think> in content, unless quoted the same way, is dropped with parse_error unexpected_think_end.
 * - Text after </minimax:tool_call> is content again, starting a fresh line.
 *
 * An unclosed tool block (the stream ends inside it) never becomes content: calls that
 * reached </invoke> stay valid, the open call completes with error unclosed_tool_call
 * (arguments finished so far; a block cut before any <invoke> tag closed gives a nameless
 * failed call), and one parse_error unclosed_tool_call carries the whole block's text verbatim.
 * A failed call is never to be run: the agent returns its error to the model. Content can't be taken back once tool events have streamed.
 */

const THINK_OPEN = "<think>";
const THINK_CLOSE = "</think>";
const LINE_BLOCK_OPEN = "\n" + BLOCK_OPEN;

const REASONING_NEEDLES = ["\n" + THINK_CLOSE, THINK_CLOSE, LINE_BLOCK_OPEN];
/**
 * Reasoning only ends at a tool block that starts a line (or the reasoning): a mid-line tag
 * there is likelier the model thinking about the format than a call without </think>.
 */
const REASONING_START_NEEDLES = [...REASONING_NEEDLES, BLOCK_OPEN];
const CONTENT_NEEDLES = [LINE_BLOCK_OPEN, BLOCK_OPEN, THINK_CLOSE];

type Mode = "think_open" | "reasoning_start" | "reasoning" | "content_start" | "content" | "block" | "failed" | "done";

class StreamParser implements M2StreamParser {
  private readonly input = new InputBuffer();
  private readonly sink = new EventSink();
  private readonly calls: CallCounter = { next: 0, valid: 0 };
  private readonly registry: ToolRegistry;
  private mode: Mode = "think_open";
  /** Whether the current reasoning/content section has emitted any text. */
  private sectionHasText = false;
  private fence = new FenceTracker();
  private block: ToolBlock | null = null;
  private readonly unclosedReasoningIsAnswer: boolean;
  /** The reasoning so far (only kept for `unclosedReasoningIsAnswer`; reasoning always comes first). */
  private reasoning = "";

  constructor(options: M2StreamParserOptions) {
    this.registry = createToolRegistry(options.tools);
    this.unclosedReasoningIsAnswer = options.unclosedReasoningIsAnswer === true;
  }

  push(delta: string): M2ParseEvent[] {
    if (this.mode === "done") return [];
    this.input.text += delta;
    this.guarded(() => this.run());
    return this.sink.drain();
  }

  end(reason: M2EndReason): M2ParseEvent[] {
    if (this.mode === "done") return [];
    this.input.final = true;
    this.guarded(() => {
      this.run();
      if (this.mode === "block") this.block?.abandon(this.input);
      if (this.unclosedReasoningIsAnswer && reason === "stop" && this.mode === "reasoning") this.reasoningAsAnswer();
    });
    const finish: M2FinishReason = reason === "stop" && this.calls.valid > 0 ? "tool_calls" : reason;
    this.sink.emit({ type: "done", finish_reason: finish });
    this.mode = "done";
    return this.sink.drain();
  }

  /** A parser bug must not take the stream down: report it, then pass text through as content. */
  private guarded(work: () => void): void {
    try {
      work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.sink.emit({ type: "parse_error", code: "internal", message, raw: "" });
      this.mode = "failed";
      this.step();
    }
  }

  private run(): void {
    while (this.step()) {
      // each step that returns true consumed input or changed mode
    }
  }

  private step(): boolean {
    switch (this.mode) {
      case "think_open":
        return this.stepThinkOpen();
      case "reasoning_start":
        return this.stepReasoningStart();
      case "content_start":
        return this.stepContentStart();
      case "reasoning":
      case "content":
        return this.stepText(this.mode);
      case "block":
        return this.stepBlock();
      case "failed":
        this.sink.emit({ type: "content_delta", text: this.input.take(this.input.text.length) });
        return false;
      case "done":
        return false;
    }
  }

  /** Tolerates a model (or engine) that emits the `<think>` the prompt already holds. */
  private stepThinkOpen(): boolean {
    const text = this.input.text;
    if (!this.input.final && text.length < THINK_OPEN.length && THINK_OPEN.startsWith(text)) return false;
    if (text.startsWith(THINK_OPEN)) this.input.take(THINK_OPEN.length);
    this.mode = "reasoning_start";
    return true;
  }

  private stepReasoningStart(): boolean {
    if (this.input.text === "" && !this.input.final) return false;
    if (this.input.text.startsWith("\n")) this.input.take(1);
    this.enterSection("reasoning");
    return true;
  }

  private stepContentStart(): boolean {
    const text = this.input.text;
    if (!this.input.final && (text === "" || text === "\n")) return false;
    this.input.take(text.startsWith("\n\n") ? 2 : text.startsWith("\n") ? 1 : 0);
    this.enterSection("content");
    return true;
  }

  private stepText(section: "reasoning" | "content"): boolean {
    const atStart = !this.sectionHasText;
    const needles = section === "content" ? CONTENT_NEEDLES : atStart ? REASONING_START_NEEDLES : REASONING_NEEDLES;
    const hit = findEarliest(this.input.text, needles);
    if (hit === null) {
      const keep = this.input.final ? 0 : heldSuffixLength(this.input.text, needles);
      this.emitText(section, this.input.take(this.input.text.length - keep));
      return false;
    }
    this.emitText(section, this.input.take(hit.index));
    if (!this.isMarkup(section, hit.needle)) {
      this.emitText(section, this.input.take(1));
      return true;
    }
    this.input.take(hit.needle.length);
    if (hit.needle === THINK_CLOSE && section === "content") {
      this.sink.emit({
        type: "parse_error",
        code: "unexpected_think_end",
        message: "</think> after reasoning had ended was dropped",
        raw: THINK_CLOSE,
      });
    } else if (hit.needle.endsWith(THINK_CLOSE)) {
      this.mode = "content_start";
    } else {
      if (section === "reasoning") {
        this.sink.emit({
          type: "parse_error",
          code: "missing_think_end",
          message: "a tool call began before </think>; reasoning was closed there",
          raw: BLOCK_OPEN,
        });
      }
      this.mode = "block";
      this.block = new ToolBlock(this.registry, this.sink, this.calls);
    }
    return true;
  }

  /** Whether a needle found at the front of the input is markup here, or just text. */
  private isMarkup(section: "reasoning" | "content", needle: string): boolean {
    switch (needle) {
      case LINE_BLOCK_OPEN:
        return !this.fence.insideAfterLineEnd();
      case BLOCK_OPEN:
        return section === "content" ? !this.fence.quotesHere() : !this.sectionHasText;
      case THINK_CLOSE:
        return section === "reasoning" || !this.fence.quotesHere();
      default:
        return true;
    }
  }

  private stepBlock(): boolean {
    const block = this.block;
    if (block === null) return false;
    const result = block.step(this.input);
    if (result === "closed") {
      this.block = null;
      this.enterSection("content");
    }
    return result !== "wait";
  }

  private enterSection(section: "reasoning" | "content"): void {
    this.mode = section;
    this.sectionHasText = false;
    this.fence = new FenceTracker();
  }

  /** The model stopped without `</think>` and wrote nothing else: its reasoning was its answer. */
  private reasoningAsAnswer(): void {
    const answer = this.reasoning.replace(/\n+$/, "");
    if (answer.trim() === "") return;
    this.sink.emit({
      type: "parse_error",
      code: "missing_think_end",
      message: "the model stopped without </think>; its reasoning is repeated as the answer",
      raw: "",
    });
    this.sink.emit({ type: "content_delta", text: answer });
  }

  private emitText(section: "reasoning" | "content", text: string): void {
    if (text === "") return;
    if (this.unclosedReasoningIsAnswer && section === "reasoning") this.reasoning += text;
    this.fence.feed(text);
    this.sectionHasText = true;
    this.sink.emit({ type: section === "reasoning" ? "reasoning_delta" : "content_delta", text });
  }
}

/** A parser for one model message; feed it every token's text, then call `end`. */
export function createM2StreamParser(options: M2StreamParserOptions = {}): M2StreamParser {
  return new StreamParser(options);
}
