import type { M2EndReason, M2FinishReason, M2ParseEvent, M2StreamParser, M2StreamParserOptions } from "../m2/parser-events";
import { EventSink, InputBuffer } from "../m2/parser-io";
import { findEarliest, heldSuffixLength } from "../m2/parser-scan";
import { createToolRegistry, type ToolRegistry } from "../m2/parser-tools";
import type { CallCounter } from "../m2/parser-tool-block";
import { M3ToolBlock } from "./parser-block";
import { declaresProperties } from "./parser-schema";
import { M3_NS, M3_TOOL_CALL_OPEN } from "./prompt";
import { M3_DEFAULT_THINKING_MODE, M3_THINK_CLOSE, M3_THINK_OPEN, type M3ThinkingMode } from "./thinking";

/*
 * Output layout, after the generation prompt's prefill (m3GenerationPrefill):
 *   <mm:think>{reasoning}</mm:think>{content}]<]minimax[>[<tool_call>\n…]<]minimax[>[</tool_call>
 * The template adds no newlines around reasoning or content, so both are kept byte for byte:
 * a parsed message, re-rendered by the template, is the text the model wrote.
 *
 * - Thinking "enabled" prefills "<mm:think>": the output starts in reasoning. "disabled" prefills
 *   "</mm:think>" and "adaptive" nothing: the output starts in content unless it opens with
 *   "<mm:think>" (the model chose to think). A leading "<mm:think>" or "</mm:think>" the
 *   prefill already holds is tolerated, as llama.cpp's parser does.
 * - Reasoning ends at "</mm:think>"; a tool block there means the model skipped it
 *   (parse_error missing_think_end) and its call must not be lost.
 * - In content a tool block opens wherever NS<tool_call> appears (llama.cpp: content is
 *   everything before it). A "</mm:think>" in content is dropped (unexpected_think_end).
 * - The namespace token is a control token: anywhere else outside a block it is dropped with
 *   parse_error unexpected_text, never shown as text.
 * - Text after the block's close is content again. Tool blocks: parser-block.ts.
 */

const NS = M3_NS;
const REASONING_NEEDLES = [M3_THINK_CLOSE, M3_TOOL_CALL_OPEN, NS];
const CONTENT_NEEDLES = [M3_TOOL_CALL_OPEN, NS, M3_THINK_CLOSE];

export interface M3StreamParserOptions extends M2StreamParserOptions {
  /** The mode the prompt was rendered with: it decides where the output starts. Default "adaptive". */
  thinkingMode?: M3ThinkingMode;
}

type Mode = "start" | "reasoning" | "content" | "block" | "failed" | "done";

const isProperPrefix = (text: string, of: string): boolean => text.length < of.length && of.startsWith(text);

class M3StreamParser implements M2StreamParser {
  private readonly input = new InputBuffer();
  private readonly sink = new EventSink();
  private readonly calls: CallCounter = { next: 0, valid: 0 };
  private readonly registry: ToolRegistry;
  private readonly withProperties: Set<string>;
  private readonly thinkingMode: M3ThinkingMode;
  private mode: Mode = "start";
  private block: M3ToolBlock | null = null;

  constructor(options: M3StreamParserOptions) {
    this.registry = createToolRegistry(options.tools);
    this.withProperties = new Set(
      (options.tools ?? []).filter((tool) => declaresProperties(tool.function.parameters)).map((tool) => tool.function.name),
    );
    this.thinkingMode = options.thinkingMode ?? M3_DEFAULT_THINKING_MODE;
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
      case "start":
        return this.stepStart();
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

  private stepStart(): boolean {
    const text = this.input.text;
    if (!this.input.final && (isProperPrefix(text, M3_THINK_OPEN) || isProperPrefix(text, M3_THINK_CLOSE))) return false;
    if (text.startsWith(M3_THINK_OPEN)) {
      this.input.take(M3_THINK_OPEN.length);
      this.mode = "reasoning";
    } else if (text.startsWith(M3_THINK_CLOSE)) {
      this.input.take(M3_THINK_CLOSE.length);
      this.mode = "content";
    } else {
      this.mode = this.thinkingMode === "enabled" ? "reasoning" : "content";
    }
    return true;
  }

  private stepText(section: "reasoning" | "content"): boolean {
    const needles = section === "reasoning" ? REASONING_NEEDLES : CONTENT_NEEDLES;
    const text = this.input.text;
    const hit = findEarliest(text, needles);
    if (hit === null) {
      const keep = this.input.final ? 0 : heldSuffixLength(text, needles);
      this.emitText(section, this.input.take(text.length - keep));
      return false;
    }
    this.emitText(section, this.input.take(hit.index));
    if (hit.needle === NS && !this.input.final && isProperPrefix(this.input.text, M3_TOOL_CALL_OPEN)) return false;
    this.input.take(hit.needle.length);
    switch (hit.needle) {
      case M3_THINK_CLOSE:
        if (section === "reasoning") {
          this.mode = "content";
        } else {
          this.sink.emit({ type: "parse_error", code: "unexpected_think_end", message: "</mm:think> after reasoning had ended was dropped", raw: M3_THINK_CLOSE });
        }
        break;
      case NS:
        this.sink.emit({ type: "parse_error", code: "unexpected_text", message: "a namespace token outside a tool call block was dropped", raw: NS });
        break;
      default:
        if (section === "reasoning") {
          this.sink.emit({ type: "parse_error", code: "missing_think_end", message: "a tool call began before </mm:think>; reasoning was closed there", raw: M3_TOOL_CALL_OPEN });
        }
        this.mode = "block";
        this.block = new M3ToolBlock(this.registry, (tool) => this.withProperties.has(tool), this.sink, this.calls);
    }
    return true;
  }

  private stepBlock(): boolean {
    const block = this.block;
    if (block === null) return false;
    const result = block.step(this.input);
    if (result === "closed") {
      this.block = null;
      this.mode = "content";
    }
    return result !== "wait";
  }

  private emitText(section: "reasoning" | "content", text: string): void {
    if (text !== "") this.sink.emit({ type: section === "reasoning" ? "reasoning_delta" : "content_delta", text });
  }
}

/** A parser for one M3 message; feed it every token's text, then call `end`. Never throws. */
export function createM3StreamParser(options: M3StreamParserOptions = {}): M2StreamParser {
  return new M3StreamParser(options);
}
