import { GenerationRequestSchema } from "../../app/contract";
import { AnthropicCountTokensRequestSchema, AnthropicMessagesRequestSchema } from "../../app/contract/anthropic-api";
import { anthropicPrompt, messagesToGeneration } from "./anthropic-request";
import { MessageStream, messageBody, messageId } from "./anthropic-response";
import { sendJson } from "./http-io";
import { resolveModel } from "./models";
import { respond } from "./respond";
import { parseBody, type RouteContext } from "./route-context";

/** `POST /v1/messages` and `/v1/messages/count_tokens`; false for any other path. */
export async function routeAnthropic(context: RouteContext, readBody: () => Promise<unknown>): Promise<boolean> {
  if (context.url.pathname === "/v1/messages/count_tokens") {
    const body = parseBody(AnthropicCountTokensRequestSchema, await readBody());
    await resolveModel(context.modelDeps, body.model);
    // parseBody: a prompt the engine's schema refuses is the client's 400, not a ZodError's 500.
    const request = parseBody(GenerationRequestSchema, { ...anthropicPrompt(body), sampling: {} });
    const { tokens } = await context.backend.engine.request({ op: "renderPrompt", request }, { timeoutMs: 30_000 });
    sendJson(context.response, 200, { input_tokens: tokens });
    return true;
  }
  if (context.url.pathname !== "/v1/messages") return false;
  const body = parseBody(AnthropicMessagesRequestSchema, await readBody());
  const request = messagesToGeneration(body);
  const model = await resolveModel(context.modelDeps, body.model);
  const id = messageId();
  await respond(context, request, {
    stream: body.stream === true,
    oneToolCall: body.tool_choice?.disable_parallel_tool_use === true,
    toolIdPrefix: "toolu_",
    body: (answer, done) => messageBody(id, model, answer, done),
    streamer: (open) => new MessageStream(open, id, model),
  });
  return true;
}
