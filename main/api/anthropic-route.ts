import { GenerationRequestSchema } from "../../app/contract";
import { AnthropicCountTokensRequestSchema, AnthropicMessagesRequestSchema } from "../../app/contract/anthropic-api";
import { anthropicPrompt, messagesToGeneration } from "./anthropic-request";
import { MessageStream, messageBody, messageId } from "./anthropic-response";
import { Answer } from "./answer";
import { errorBody } from "./errors";
import { sendJson } from "./http-io";
import { resolveModel } from "./models";
import { generationError, parseBody, type RouteContext } from "./route-context";
import { SseWriter } from "./sse";

/** `POST /v1/messages` and `/v1/messages/count_tokens`; false for any other path. */
export async function routeAnthropic(context: RouteContext, readBody: () => Promise<unknown>): Promise<boolean> {
  if (context.url.pathname === "/v1/messages/count_tokens") {
    const body = parseBody(AnthropicCountTokensRequestSchema, await readBody());
    await resolveModel(context.modelDeps, body.model);
    const request = GenerationRequestSchema.parse({ ...anthropicPrompt(body), sampling: {} });
    const { tokens } = await context.backend.engine.request({ op: "renderPrompt", request }, { timeoutMs: 30_000 });
    sendJson(context.response, 200, { input_tokens: tokens });
    return true;
  }
  if (context.url.pathname !== "/v1/messages") return false;
  const body = parseBody(AnthropicMessagesRequestSchema, await readBody());
  const request = messagesToGeneration(body);
  const model = await resolveModel(context.modelDeps, body.model);
  const id = messageId();

  if (!body.stream) {
    const answer = new Answer("toolu_");
    const done = await context.generate(request, (event) => answer.apply(event));
    if (done.error) throw generationError(done.error);
    if (!context.signal.aborted) sendJson(context.response, 200, messageBody(id, model, answer, done));
    return true;
  }

  // Headers wait for the first event, so a request that fails before any output gets a real status.
  let sse: SseWriter | undefined;
  const open = () => (sse ??= new SseWriter(context.response));
  const stream = new MessageStream(open, id, model);
  let started = false;
  const done = await context.generate(request, (event) => {
    if (event.type === "done") return;
    if (!started) stream.start();
    started = true;
    stream.onEvent(event);
  });
  if (done.error && !sse) throw generationError(done.error);
  if (done.error) open().event("error", errorBody("anthropic", generationError(done.error)));
  else {
    if (!started) stream.start();
    stream.finish(done);
  }
  open().end();
  return true;
}
