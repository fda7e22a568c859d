import { ChatCompletionRequestSchema } from "../../app/contract/openai-api";
import { resolveModel } from "./models";
import { chatCompletionToGeneration } from "./openai-request";
import { ChatCompletionStream, chatCompletionBody, completionMeta } from "./openai-response";
import { respond } from "./respond";
import { parseBody, type RouteContext } from "./route-context";

/** `POST /v1/chat/completions`; false for any other path. */
export async function routeOpenAi(context: RouteContext, readBody: () => Promise<unknown>): Promise<boolean> {
  if (context.url.pathname !== "/v1/chat/completions") return false;
  const body = parseBody(ChatCompletionRequestSchema, await readBody());
  const request = chatCompletionToGeneration(body);
  const meta = completionMeta(await resolveModel(context.modelDeps, body.model));
  await respond(context, request, {
    stream: body.stream === true,
    oneToolCall: body.parallel_tool_calls === false,
    toolIdPrefix: "call_",
    body: (answer, done) => chatCompletionBody(meta, answer, done),
    streamer: (open) => new ChatCompletionStream(open, meta, body.stream_options?.include_usage === true),
  });
  return true;
}
