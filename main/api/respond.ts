import type { GenerationEvent, GenerationRequest } from "../../app/contract";
import { Answer } from "./answer";
import { sendJson } from "./http-io";
import { generationError, type RouteContext } from "./route-context";
import { SseWriter } from "./sse";

type DoneEvent = Extract<GenerationEvent, { type: "done" }>;

/** One API's streaming shape: its opening, its events per generation event, its ending, its mid-stream failure. */
export interface StreamMapper {
  start(): void;
  onEvent(event: GenerationEvent): void;
  finish(done: DoneEvent): void;
  fail(error: { code: string; message: string }): void;
}

export interface ResponseShape {
  stream: boolean;
  /** The tool call id prefix of the API (`call_`, `toolu_`). */
  toolIdPrefix: string;
  body(answer: Answer, done: DoneEvent): unknown;
  streamer(open: () => SseWriter): StreamMapper;
  /** `parallel_tool_calls: false` (Anthropic: `disable_parallel_tool_use`): the answer makes one call at most. */
  oneToolCall?: boolean;
}

/**
 * Passes on the events of the answer's first tool call only, as llama-server's grammar lets such a request make
 * one call: a later one in the same block is never handed to the client to run.
 */
function firstToolCallOnly(onEvent: (event: GenerationEvent) => void): (event: GenerationEvent) => void {
  let first: number | undefined;
  return (event) => {
    if (event.type === "tool_call_started" || event.type === "tool_call_argument" || event.type === "tool_call_completed") {
      first ??= event.index;
      if (event.index !== first) return;
    }
    onEvent(event);
  };
}

/** Runs a generation and answers it in one API's shape, as one JSON body or as its event stream. */
export async function respond(context: RouteContext, request: GenerationRequest, shape: ResponseShape): Promise<void> {
  const generate = (onEvent: (event: GenerationEvent) => void) => context.generate(request, shape.oneToolCall ? firstToolCallOnly(onEvent) : onEvent);
  if (!shape.stream) {
    const answer = new Answer(shape.toolIdPrefix);
    const done = await generate((event) => answer.apply(event));
    if (done.error) throw generationError(done.error);
    if (!context.signal.aborted) sendJson(context.response, 200, shape.body(answer, done));
    return;
  }
  // Headers wait for the first event, so a request that fails before any output gets a real status.
  let sse: SseWriter | undefined;
  const open = () => (sse ??= new SseWriter(context.response));
  const stream = shape.streamer(open);
  let started = false;
  const done = await generate((event) => {
    if (event.type === "done") return;
    if (!started) stream.start();
    started = true;
    stream.onEvent(event);
  });
  if (done.error && !sse) throw generationError(done.error);
  if (done.error) {
    // Mid-stream failure (the engine crashed): the stream ends with an error event, and the server stays up.
    stream.fail(done.error);
  } else {
    if (!started) stream.start();
    stream.finish(done);
  }
  open().end();
}
