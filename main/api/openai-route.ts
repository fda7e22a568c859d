import { ChatCompletionRequestSchema } from "../../app/contract/openai-api";
import { Answer } from "./answer";
import { sendJson } from "./http-io";
import { resolveModel } from "./models";
import { chatCompletionToGeneration } from "./openai-request";
import { ChatCompletionStream, chatCompletionBody, completionMeta } from "./openai-response";
import { errorBody } from "./errors";
import { generationError, parseBody, type RouteContext } from "./route-context";
import { SseWriter } from "./sse";

/** `POST /v1/chat/completions`; false for any other path. */
export async function routeOpenAi(context: RouteContext, readBody: () => Promise<unknown>): Promise<boolean> {
  if (context.url.pathname !== "/v1/chat/completions") return false;
  const body = parseBody(ChatCompletionRequestSchema, await readBody());
  const request = chatCompletionToGeneration(body);
  const meta = completionMeta(await resolveModel(context.modelDeps, body.model));

  if (!body.stream) {
    const answer = new Answer("call_");
    const done = await context.generate(request, (event) => answer.apply(event));
    if (done.error) throw generationError(done.error);
    if (!context.signal.aborted) sendJson(context.response, 200, chatCompletionBody(meta, answer, done));
    return true;
  }

  // Headers wait for the first event, so a request that fails before any output gets a real status.
  let sse: SseWriter | undefined;
  const open = () => (sse ??= new SseWriter(context.response));
  const stream = new ChatCompletionStream(open, meta, body.stream_options?.include_usage === true);
  let started = false;
  const done = await context.generate(request, (event) => {
    if (event.type === "done") return;
    if (!started) stream.start();
    started = true;
    stream.onEvent(event);
  });
  if (done.error && !sse) throw generationError(done.error);
  if (done.error) {
    // Mid-stream failure (the engine crashed): an error event, then the end, and the server stays up.
    open().data(errorBody("openai", generationError(done.error)));
    open().done();
  } else {
    if (!started) stream.start();
    stream.finish(done);
  }
  open().end();
  return true;
}
