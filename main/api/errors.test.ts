import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// Errors in each API's own shape, from the real server on a backend with no model loaded.

let api: ApiHarness;

beforeAll(async () => {
  api = await startApiHarness(null);
}, 60_000);
afterAll(() => api?.close());

const post = (path: string, body: string) => fetch(`${api.server.baseUrl}${path}`, { method: "POST", headers: HARNESS_HEADERS, body });

describe("API server errors", () => {
  it("no model loaded: 409 in OpenAI's shape and in Anthropic's", async () => {
    const openai = await post("/chat/completions", JSON.stringify({ model: "m2", messages: [{ role: "user", content: "Hi" }] }));
    expect(openai.status).toBe(409);
    expect(await openai.json()).toEqual({ error: { message: "No model is loaded. Load a GGUF first.", type: "invalid_request_error", code: "model_not_loaded", param: null } });
    const anthropic = await post("/messages", JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 10, messages: [{ role: "user", content: "Hi" }], stream: true }));
    expect(anthropic.status).toBe(409);
    expect(await anthropic.json()).toEqual({ type: "error", error: { type: "invalid_request_error", message: "No model is loaded. Load a GGUF first." } });
  });

  it("malformed JSON and wrong types: 400 saying what is wrong", async () => {
    const malformed = await post("/messages", "{not json");
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(/^Malformed JSON body/);
    const wrongType = await post("/chat/completions", JSON.stringify({ model: "m2", messages: "Hi" }));
    expect(wrongType.status).toBe(400);
    expect(((await wrongType.json()) as { error: { message: string } }).error.message).toMatch(/^Invalid request: messages: /);
    const noMaxTokens = await post("/messages", JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }));
    expect(noMaxTokens.status).toBe(400);
    expect(((await noMaxTokens.json()) as { error: { message: string } }).error.message).toMatch(/max_tokens/);
  });

  it("a body over the limit gets 413; an unknown endpoint 404", async () => {
    const huge = await post("/chat/completions", JSON.stringify({ model: "m2", messages: [{ role: "user", content: "x".repeat(33 * 1024 * 1024) }] }));
    expect(huge.status).toBe(413);
    const unknown = await post("/embeddings", "{}");
    expect(unknown.status).toBe(404);
  });

  it("a body nested past the depth limit is a 400, not a crash of the engine or the server", async () => {
    const deep = '{"a":'.repeat(20_000) + "{}" + "}".repeat(20_000);
    const response = await post("/chat/completions", `{"model":"m2","messages":[{"role":"user","content":"Hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":${deep}}}]}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toMatch(/nests more than 128 levels/);
  });

  it("no CORS: a browser page's preflight and its request get no Access-Control-Allow-* header, so the browser keeps the answer from the page", async () => {
    const origin = { Origin: "https://evil.example" };
    const preflight = await fetch(`${api.server.baseUrl}/chat/completions`, {
      method: "OPTIONS",
      headers: { ...origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization, content-type" },
    });
    expect(preflight.ok).toBe(false);
    expect([...preflight.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    const response = await fetch(`${api.server.baseUrl}/models`, { headers: { ...HARNESS_HEADERS, ...origin } });
    expect(response.status).toBe(200);
    expect([...response.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });

  it("a model id with a malformed escape is a 404 in OpenAI's shape, not a server failure", async () => {
    const response = await fetch(`${api.server.baseUrl}/models/%zz`, { headers: HARNESS_HEADERS });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { type: "not_found_error", code: "not_found" } });
  });
});
