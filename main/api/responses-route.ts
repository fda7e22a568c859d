import { ResponsesRequestSchema } from "../../app/contract/openai-api";
import { resolveModel } from "./models";
import { respond } from "./respond";
import { responsesToGeneration } from "./responses-request";
import { ResponseStream, responseBody, responseMeta } from "./responses-response";
import { parseBody, type RouteContext } from "./route-context";

/** `POST /v1/responses`; false for any other path. */
export async function routeResponses(context: RouteContext, readBody: () => Promise<unknown>): Promise<boolean> {
  if (context.url.pathname !== "/v1/responses") return false;
  const body = parseBody(ResponsesRequestSchema, await readBody());
  const request = responsesToGeneration(body);
  const meta = responseMeta(await resolveModel(context.modelDeps, body.model));
  await respond(context, request, {
    stream: body.stream === true,
    oneToolCall: body.parallel_tool_calls === false,
    toolIdPrefix: "call_",
    body: (answer, done) => responseBody(meta, answer, done),
    streamer: (open) => new ResponseStream(open, meta),
  });
  return true;
}
