import type { IncomingMessage, ServerResponse } from "node:http";
import { AppError } from "../../app/contract";
import { exceedsJsonDepth, MAX_JSON_DEPTH } from "../../app/m2/json-depth";
import { HttpError } from "./errors";

/** Claude Code's requests (long system prompt, a dozen tools, the whole conversation) fit many times over. */
export const MAX_BODY_BYTES = 32 * 1024 * 1024;

export async function readJsonBody(request: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers["content-length"] ?? 0);
  if (declared > limit) throw new HttpError(413, "bad_request", `Request body over ${limit} bytes.`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, "bad_request", `Request body over ${limit} bytes.`);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let body: unknown;
  try {
    body = JSON.parse(text) as unknown;
  } catch (error) {
    throw new AppError("bad_request", `Malformed JSON body: ${(error as Error).message}`);
  }
  // Everything after JSON.parse recurses (zod, IPC, the prompt's tojson): a deep tool schema would crash the engine.
  if (exceedsJsonDepth(body)) throw new AppError("bad_request", `The JSON body nests more than ${MAX_JSON_DEPTH} levels deep.`);
  return body;
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { "Content-Type": "application/json", "Content-Length": String(Buffer.byteLength(text)), ...headers });
  response.end(text);
}
