import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../m2/json-depth";
import type { M2ParseErrorInfo } from "../m2/parser-events";
import type { EventSink, InputBuffer } from "../m2/parser-io";
import { findEarliest, heldSuffixLength, readNameAttr } from "../m2/parser-scan";
import { emitCallCompleted, unclosedInvoke, type BlockStep, type CallCounter, type OpenCall } from "../m2/parser-tool-block";
import type { ToolRegistry } from "../m2/parser-tools";
import { childSchema, containerKind, leafValue, resolvesToString } from "./parser-schema";
import { M3_NS, M3_TOOL_CALL_OPEN } from "./prompt";

/*
 * One `]<]minimax[>[<tool_call>` block, from after its open tag to `]<]minimax[>[</tool_call>`.
 * Every tag starts with the namespace token (NS below):
 *   NS<invoke name="f">NS<param>value NS</param>NS<list>NS<item>1NS</item>NS</list>NS</invoke>
 * A parameter is the tag named after it; its value is
 * - raw text up to its own close tag when the schema allows a string (any markup inside is text),
 *   or when it does not start with a tag (a scalar, or JSON the model wrote for a structure);
 * - otherwise nested tags: `<item>` children make a list, named children a mapping, typed by
 *   the schema's `items` / `properties` at every level (without a schema, leaves stay text).
 * Whitespace between tags is the model's layout (llama.cpp's grammar allows it); other text
 * there is dropped with `unexpected_text`. Nesting is tracked on an explicit stack, so any
 * depth is safe; past MAX_JSON_DEPTH the value is kept as text and the call fails.
 */

const NS = M3_NS;
/** Tag bodies longer than this are not tags; it bounds how much text waits for a `>`. */
const MAX_TAG = 1024;

type Tag =
  | { kind: "open"; name: string; length: number }
  | { kind: "invoke"; attrs: string; length: number }
  | { kind: "close"; name: string; length: number }
  | { kind: "not_tag" }
  | { kind: "wait" };

/** Reads the tag at the start of `text`, which starts with NS. Decided by the text alone. */
function readTag(text: string): Tag {
  if (text.length === NS.length) return { kind: "wait" };
  if (text.charAt(NS.length) !== "<") return { kind: "not_tag" };
  const start = NS.length + 1;
  const end = text.indexOf(">", start);
  if (end === -1) return text.length - start > MAX_TAG ? { kind: "not_tag" } : { kind: "wait" };
  if (end - start > MAX_TAG) return { kind: "not_tag" };
  const body = text.slice(start, end);
  const length = end + 1;
  if (/[<\n]/.test(body)) return { kind: "not_tag" };
  if (body.startsWith("/")) {
    const name = body.slice(1);
    return name === "" ? { kind: "not_tag" } : { kind: "close", name, length };
  }
  const invoke = /^invoke(?=\s|$)/.exec(body);
  if (invoke) return { kind: "invoke", attrs: body.slice(invoke[0].length), length };
  return body === "" ? { kind: "not_tag" } : { kind: "open", name: body, length };
}

/** An element whose close tag has not come yet: a parameter (the stack's first) or a member / item in it. */
interface Element {
  tag: string;
  schema: unknown;
  /** start: nothing read yet; raw: text up to the close tag; children: tags, kind not yet known. */
  mode: "start" | "raw" | "children" | "object" | "array";
  text: string;
  /** The list or mapping being built; undefined past MAX_JSON_DEPTH. */
  value: unknown[] | Record<string, unknown> | undefined;
}

export class M3ToolBlock {
  /** Every character of the block so far, reported verbatim if it never closes. */
  private raw = M3_TOOL_CALL_OPEN;
  /** Text between tags; reported as `unexpected_text` when not blank. */
  private stray = "";
  private call: OpenCall | null = null;
  /** The open parameter and the elements inside it, outermost first. */
  private elements: Element[] = [];
  /** The open parameter's text so far (everything between its tags). */
  private paramRaw = "";
  /** The open parameter nests deeper than MAX_JSON_DEPTH. */
  private paramTooDeep = false;
  private started = 0;

  constructor(
    private readonly registry: ToolRegistry,
    private readonly declaresProperties: (tool: string) => boolean,
    private readonly sink: EventSink,
    private readonly counter: CallCounter,
  ) {}

  step(input: InputBuffer): BlockStep {
    const top = this.elements.at(-1);
    if (top === undefined || top.mode === "children" || top.mode === "object" || top.mode === "array") {
      return this.stepMarkup(input, top);
    }
    return top.mode === "start" ? this.stepElementStart(input, top) : this.stepRaw(input, top);
  }

  /** The stream ended inside the block: fail the open call and report the block's text. */
  abandon(input: InputBuffer): void {
    // A tag still waiting for its `>`, or a block with no call yet: the model was making a
    // call, so it fails as a nameless one rather than vanishing (the agent would think it answered).
    const cutInvoke = input.text.startsWith(`${NS}<invoke`) || (this.call === null && input.text.startsWith(NS));
    this.take(input, input.text.length);
    if (this.call !== null) {
      const param = this.elements[0]?.tag;
      const where = param === undefined ? "</invoke>, so the call may be incomplete" : `the value of "${param}" was complete`;
      this.elements = [];
      this.completeCall({ code: "unclosed_tool_call", message: `the output ended before ${where}` });
    }
    if (cutInvoke || this.started === 0) {
      this.startCall(null);
      this.completeCall({ code: "unclosed_tool_call", message: "the output ended before a complete <invoke name=...> tag" });
    }
    this.sink.emit({ type: "parse_error", code: "unclosed_tool_call", message: "the output ended inside a tool call block", raw: this.raw });
  }

  private take(input: InputBuffer, count: number): string {
    const text = input.take(count);
    this.raw += text;
    const param = this.elements[0];
    if (text !== "" && param !== undefined && this.call !== null) {
      this.paramRaw += text;
      this.sink.emit({
        type: "tool_call_argument",
        index: this.call.index,
        name: this.call.name,
        parameter: param.tag,
        complete: false,
        value_delta: text,
      });
    }
    return text;
  }

  /** Between invokes, inside an invoke, or inside a structured value: only tags count. */
  private stepMarkup(input: InputBuffer, top: Element | undefined): BlockStep {
    const at = input.text.indexOf(NS);
    if (at === -1) {
      const keep = input.final ? 0 : heldSuffixLength(input.text, [NS]);
      this.stray += this.take(input, input.text.length - keep);
      return "wait";
    }
    this.stray += this.take(input, at);
    const tag = readTag(input.text);
    if (tag.kind === "wait") return "wait";
    if (tag.kind === "not_tag") {
      this.stray += this.take(input, NS.length);
      return "progress";
    }
    this.flushStray();
    if (this.call === null) return this.betweenTag(input, tag);
    if (tag.kind === "invoke") {
      this.dropElements();
      this.completeCall(unclosedInvoke("the next <invoke>"));
      this.take(input, tag.length);
      this.startCall(tag.attrs);
      return "progress";
    }
    if (tag.kind === "close" && (tag.name === "invoke" || tag.name === "tool_call") && top?.tag !== tag.name) {
      const open = this.elements[0]?.tag;
      this.dropElements();
      this.take(input, tag.length);
      if (tag.name === "invoke") {
        this.completeCall(open === undefined ? undefined : unclosedElement(open, "</invoke>"));
        return "progress";
      }
      this.completeCall(open === undefined ? unclosedInvoke("</tool_call>") : unclosedElement(open, "</tool_call>"));
      return "closed";
    }
    if (tag.kind === "close") {
      if (top !== undefined && tag.name === top.tag) {
        this.closeElement(input, tag.length);
      } else {
        this.failCall({ code: "malformed_tag", message: `</${tag.name}> does not close the open <${top?.tag ?? "invoke"}>` });
        this.stray += this.take(input, tag.length);
        this.flushStray();
      }
      return "progress";
    }
    this.take(input, tag.length);
    this.openElement(tag.name, top);
    return "progress";
  }

  private betweenTag(input: InputBuffer, tag: Exclude<Tag, { kind: "wait" | "not_tag" }>): BlockStep {
    if (tag.kind === "invoke") {
      this.take(input, tag.length);
      this.startCall(tag.attrs);
      return "progress";
    }
    if (tag.kind === "close" && tag.name === "tool_call") {
      this.take(input, tag.length);
      return "closed";
    }
    this.stray += this.take(input, tag.length);
    this.flushStray();
    return "progress";
  }

  /** Right after an open tag: raw text, or nested tags? Waits until the text says. */
  private stepElementStart(input: InputBuffer, top: Element): BlockStep {
    if (resolvesToString(top.schema)) {
      top.mode = "raw";
      return "progress";
    }
    const text = input.text;
    const blank = /^\s*/.exec(text)?.[0].length ?? 0;
    const rest = text.slice(blank);
    const head = `${NS}<`;
    // A value starting with a tag (not a close tag) is structured; wait for the character after "<".
    if (!input.final && rest.length <= head.length && head.startsWith(rest)) return "wait";
    if (rest.startsWith(head) && rest.charAt(head.length) !== "/") {
      this.take(input, blank);
      top.mode = "children";
      return "progress";
    }
    top.mode = "raw";
    return "progress";
  }

  /** A raw value ends at its own close tag; the call's or block's close first means it was never closed. */
  private stepRaw(input: InputBuffer, top: Element): BlockStep {
    const own = `${NS}</${top.tag}>`;
    const needles = [own, `${NS}</invoke>`, `${NS}</tool_call>`];
    const hit = findEarliest(input.text, needles);
    if (hit === null) {
      const keep = input.final ? 0 : heldSuffixLength(input.text, needles);
      top.text += this.take(input, input.text.length - keep);
      return "wait";
    }
    top.text += this.take(input, hit.index);
    if (hit.needle === own) {
      this.closeElement(input, own.length);
      return "progress";
    }
    // The call (or block) closed around an unclosed value: the value is lost, the call fails.
    const open = this.elements[0]?.tag ?? top.tag;
    this.dropElements();
    this.take(input, hit.needle.length);
    if (hit.needle === needles[1]) {
      this.completeCall(unclosedElement(open, "</invoke>"));
      return "progress";
    }
    this.completeCall(unclosedElement(open, "</tool_call>"));
    return "closed";
  }

  private openElement(name: string, parent: Element | undefined): void {
    const call = this.call;
    if (call === null) return;
    if (parent === undefined) {
      if (this.registry.has(call.name) && this.declaresProperties(call.name) && this.registry.parameterSchema(call.name, name) === undefined) {
        this.failCall({ code: "unknown_parameter", message: `unknown parameter "${name}" for tool "${call.name}"` });
      }
      this.paramRaw = "";
      this.paramTooDeep = false;
      this.elements.push({ tag: name, schema: this.registry.parameterSchema(call.name, name), mode: "start", text: "", value: undefined });
      return;
    }
    if (parent.mode === "children") this.becomeContainer(parent, name === "item" ? "array" : "object");
    if (parent.mode === "array" && name !== "item") {
      this.failCall({ code: "malformed_tag", message: `<${name}> inside a list; its members are <item> tags` });
    }
    const schema = childSchema(parent.schema, parent.mode === "array" ? null : name);
    this.elements.push({ tag: name, schema, mode: "start", text: "", value: undefined });
  }

  /** Kind from the schema when it names one, else from the first child tag. `element` is the innermost. */
  private becomeContainer(element: Element, fromTag: "object" | "array"): void {
    const kind = containerKind(element.schema) ?? fromTag;
    element.mode = kind;
    // Containers at the first level are depth 1: past the limit nothing more is built.
    if (this.elements.length - 1 >= MAX_JSON_DEPTH) this.paramTooDeep = true;
    else element.value = kind === "array" ? [] : {};
  }

  private closeElement(input: InputBuffer, closeLength: number): void {
    const element = this.elements.pop();
    if (element === undefined) return;
    let value: unknown;
    if (element.mode === "raw" || element.mode === "start") {
      const leaf = leafValue(element.text, element.schema);
      if (leaf.tooDeep) this.paramTooDeep = true;
      value = leaf.value;
    } else {
      value = element.value ?? (element.mode === "array" ? [] : {});
    }
    this.take(input, closeLength);
    const parent = this.elements.at(-1);
    if (parent === undefined) {
      this.completeParam(element.tag, value);
    } else if (Array.isArray(parent.value)) {
      parent.value.push(value);
    } else if (parent.value !== undefined) {
      // A data property, so a member named __proto__ stays data.
      Object.defineProperty(parent.value, element.tag, { value, enumerable: true, writable: true, configurable: true });
    }
  }

  private completeParam(name: string, built: unknown): void {
    const call = this.call;
    if (call === null) return;
    const raw = this.paramRaw;
    this.paramRaw = "";
    const tooDeep = this.paramTooDeep || exceedsJsonDepth(built);
    this.paramTooDeep = false;
    const value = tooDeep ? raw : built;
    this.sink.emit({ type: "tool_call_argument", index: call.index, name: call.name, parameter: name, complete: true, raw, value });
    call.args.set(name, value);
    if (tooDeep) this.failCall({ code: "argument_too_deep", message: `the value of "${name}" nests deeper than ${MAX_JSON_DEPTH} levels` });
  }

  /** Open elements of a call that is ending: their values are incomplete, so they are dropped. */
  private dropElements(): void {
    this.elements = [];
    this.paramRaw = "";
    this.paramTooDeep = false;
  }

  private flushStray(): void {
    const text = this.stray.trim();
    this.stray = "";
    if (text === "") return;
    this.sink.emit({ type: "parse_error", code: "unexpected_text", message: "text inside a tool call block, outside any value, was dropped", raw: text });
  }

  private failCall(error: M2ParseErrorInfo): void {
    if (this.call !== null) this.call.error ??= error;
  }

  /** attrs null: a call cut before its tag closed. */
  private startCall(attrs: string | null): void {
    const name = attrs === null ? null : readNameAttr(attrs);
    let error: M2ParseErrorInfo | undefined;
    if (attrs !== null && name === null) {
      error = { code: "malformed_tag", message: "<invoke> has no name" };
    } else if (name !== null && this.registry.checksNames && !this.registry.has(name)) {
      error = { code: "unknown_tool", message: `unknown tool "${name}"` };
    }
    this.started++;
    this.call = { index: this.counter.next++, name: name ?? "", args: new Map(), error };
    this.sink.emit({ type: "tool_call_started", index: this.call.index, name: this.call.name });
  }

  /** A structural error overrides the call's own (unknown tool, bad tag): the arguments are incomplete. */
  private completeCall(structural: M2ParseErrorInfo | undefined): void {
    const call = this.call;
    this.call = null;
    this.dropElements();
    if (call === null) return;
    emitCallCompleted(this.sink, this.counter, call, structural);
  }
}

function unclosedElement(param: string, before: string): M2ParseErrorInfo {
  return { code: "malformed_tag", message: `${before} arrived before the value of "${param}" was closed` };
}
