import type { M2ParseErrorInfo } from "./parser-events";
import type { EventSink, InputBuffer } from "./parser-io";
import { findEarliest, heldSuffixLength, readNameAttr, readOpenTag } from "./parser-scan";
import type { ToolRegistry } from "./parser-tools";
import { MAX_JSON_DEPTH } from "./json-depth";
import { convertParam } from "./parser-values";

export const BLOCK_OPEN = "<minimax:tool_call>";
const BLOCK_CLOSE = "</minimax:tool_call>";
const INVOKE_OPEN = "<invoke";
const INVOKE_CLOSE = "</invoke>";
const PARAM_OPEN = "<parameter";
const PARAM_CLOSE = "</parameter>";

const BETWEEN_NEEDLES = [INVOKE_OPEN, BLOCK_CLOSE];
const INVOKE_NEEDLES = [PARAM_OPEN, INVOKE_CLOSE, BLOCK_CLOSE, INVOKE_OPEN];
// A value loses one trailing newline, so a newline before `</parameter>` waits too.
const PARAM_NEEDLES = ["\n" + PARAM_CLOSE, PARAM_CLOSE];

/** Shared by every block of one message: indexes run across blocks. */
export interface CallCounter {
  next: number;
  /** Calls completed without an error. */
  valid: number;
}

export type BlockStep = "progress" | "wait" | "closed";

/** A call whose `</invoke>` has not come yet. */
export interface OpenCall {
  index: number;
  name: string;
  args: Map<string, unknown>;
  error: M2ParseErrorInfo | undefined;
}

interface OpenParam {
  /** null when the tag had no name: the value is parsed, reported, then dropped. */
  name: string | null;
  raw: string;
}

/**
 * Parses one `<minimax:tool_call>` block, from after its open tag to `</minimax:tool_call>`.
 * Inside a parameter value only `</parameter>` is markup, so values may hold any text.
 */
export class ToolBlock {
  private mode: "between" | "invoke" | "param_start" | "param" = "between";
  /** Every character of the block so far, reported verbatim if it never closes. */
  private raw = BLOCK_OPEN;
  /** Text between tags; reported as `unexpected_text` when not blank. */
  private stray = "";
  private call: OpenCall | null = null;
  private param: OpenParam | null = null;
  /** Calls started in this block. */
  private started = 0;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly sink: EventSink,
    private readonly counter: CallCounter,
  ) {}

  step(input: InputBuffer): BlockStep {
    switch (this.mode) {
      case "between":
        return this.stepMarkup(input, BETWEEN_NEEDLES);
      case "invoke":
        return this.stepMarkup(input, INVOKE_NEEDLES);
      case "param_start":
        return this.stepParamStart(input);
      case "param":
        return this.stepParam(input);
    }
  }

  /** The stream ended inside the block: fail the open call and report the block's text. */
  abandon(input: InputBuffer): void {
    // An <invoke> tag still waiting for its `>`, or a block with no call yet: the model was making
    // a call, so it fails as a nameless one rather than vanishing (the agent would think it answered).
    const cutTag = input.text.startsWith(INVOKE_OPEN);
    this.take(input, input.text.length);
    if (this.call !== null) {
      // The model reads this message: say which value was cut, so it can send the call again.
      const where = this.param?.name ? `the value of "${this.param.name}" was complete` : "</invoke>, so the call may be incomplete";
      this.completeCall({ code: "unclosed_tool_call", message: `the output ended before ${where}` });
    }
    if (cutTag || this.started === 0) {
      this.startCall("");
      this.completeCall({ code: "unclosed_tool_call", message: "the output ended before a complete <invoke name=...> tag" });
    }
    const message = "the output ended inside a <minimax:tool_call> block";
    this.sink.emit({ type: "parse_error", code: "unclosed_tool_call", message, raw: this.raw });
  }

  private take(input: InputBuffer, count: number): string {
    const text = input.take(count);
    this.raw += text;
    return text;
  }

  private stepMarkup(input: InputBuffer, needles: readonly string[]): BlockStep {
    const hit = findEarliest(input.text, needles);
    if (hit === null) {
      const keep = input.final ? 0 : heldSuffixLength(input.text, needles);
      this.stray += this.take(input, input.text.length - keep);
      return "wait";
    }
    this.stray += this.take(input, hit.index);
    if (hit.needle === INVOKE_OPEN || hit.needle === PARAM_OPEN) {
      const tag = readOpenTag(input.text, hit.needle);
      if (tag.kind === "wait") return "wait";
      if (tag.kind === "not_tag") {
        this.stray += this.take(input, 1);
        return "progress";
      }
      this.flushStray();
      this.take(input, tag.length);
      if (hit.needle === PARAM_OPEN) {
        this.param = { name: readNameAttr(tag.attrs), raw: "" };
        this.mode = "param_start";
      } else {
        if (this.call !== null) this.completeCall(unclosedInvoke("the next <invoke>"));
        this.startCall(tag.attrs);
      }
      return "progress";
    }
    this.flushStray();
    this.take(input, hit.needle.length);
    if (hit.needle === INVOKE_CLOSE) {
      this.completeCall(undefined);
      return "progress";
    }
    // BLOCK_CLOSE
    if (this.call !== null) this.completeCall(unclosedInvoke(BLOCK_CLOSE));
    return "closed";
  }

  private stepParamStart(input: InputBuffer): BlockStep {
    if (input.text === "") return "wait";
    // One leading newline belongs to the markup, as in the reference parser.
    if (input.text.startsWith("\n")) this.take(input, 1);
    this.mode = "param";
    return "progress";
  }

  private stepParam(input: InputBuffer): BlockStep {
    const hit = findEarliest(input.text, PARAM_NEEDLES);
    if (hit === null) {
      const keep = input.final ? 0 : heldSuffixLength(input.text, PARAM_NEEDLES);
      this.appendValue(this.take(input, input.text.length - keep));
      return "wait";
    }
    this.appendValue(this.take(input, hit.index));
    this.take(input, hit.needle.length);
    this.completeParam();
    this.mode = "invoke";
    return "progress";
  }

  private flushStray(): void {
    const text = this.stray.trim();
    this.stray = "";
    if (text === "") return;
    this.sink.emit({
      type: "parse_error",
      code: "unexpected_text",
      message: "text inside a tool call block, outside any tag, was dropped",
      raw: text,
    });
  }

  private startCall(attrs: string): void {
    const name = readNameAttr(attrs);
    let error: M2ParseErrorInfo | undefined;
    if (name === null) {
      error = { code: "malformed_tag", message: "<invoke> has no name" };
    } else if (this.registry.checksNames && !this.registry.has(name)) {
      error = { code: "unknown_tool", message: `unknown tool "${name}"` };
    }
    this.started++;
    this.call = { index: this.counter.next++, name: name ?? "", args: new Map(), error };
    this.mode = "invoke";
    this.sink.emit({ type: "tool_call_started", index: this.call.index, name: this.call.name });
  }

  private appendValue(text: string): void {
    const { call, param } = this;
    if (text === "" || call === null || param === null) return;
    param.raw += text;
    this.sink.emit({
      type: "tool_call_argument",
      index: call.index,
      name: call.name,
      parameter: param.name ?? "",
      complete: false,
      value_delta: text,
    });
  }

  private completeParam(): void {
    const { call, param } = this;
    this.param = null;
    if (call === null || param === null) return;
    const { value, tooDeep } = convertParam(param.raw, this.registry.parameterSchema(call.name, param.name ?? ""));
    this.sink.emit({
      type: "tool_call_argument",
      index: call.index,
      name: call.name,
      parameter: param.name ?? "",
      complete: true,
      raw: param.raw,
      value,
    });
    if (param.name === null) {
      call.error ??= { code: "malformed_tag", message: "<parameter> has no name; its value was dropped" };
    } else {
      call.args.set(param.name, value);
      if (tooDeep) {
        call.error ??= { code: "argument_too_deep", message: `the value of "${param.name}" nests deeper than ${MAX_JSON_DEPTH} levels` };
      }
    }
  }

  /** A structural error overrides the call's own (unknown tool, bad tag): the arguments are incomplete. */
  private completeCall(structural: M2ParseErrorInfo | undefined): void {
    const call = this.call;
    this.call = null;
    this.param = null;
    this.mode = "between";
    if (call === null) return;
    emitCallCompleted(this.sink, this.counter, call, structural);
  }
}

/** Emits `tool_call_completed` for `call`; a structural error overrides the call's own. Counts a valid call. */
export function emitCallCompleted(sink: EventSink, counter: CallCounter, call: OpenCall, structural: M2ParseErrorInfo | undefined): void {
  const error = structural ?? call.error;
  // fromEntries defines own properties, so a parameter named __proto__ stays data.
  const args = Object.fromEntries(call.args) as Record<string, unknown>;
  sink.emit(
    error === undefined
      ? { type: "tool_call_completed", index: call.index, name: call.name, arguments: args }
      : { type: "tool_call_completed", index: call.index, name: call.name, arguments: args, error },
  );
  if (error === undefined) counter.valid++;
}

export function unclosedInvoke(before: string): M2ParseErrorInfo {
  return { code: "unclosed_invoke", message: `${before} arrived before </invoke>` };
}
