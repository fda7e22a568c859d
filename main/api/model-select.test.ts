import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { fileModelId } from "./models";
import { HARNESS_API_KEY, HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

// Which model answers: a library model named in a request loads with the planner's auto plan; any other name maps to the loaded one.

let api: ApiHarness;
let client: OpenAI;
let apiModel: string;
let longModel: string;

beforeAll(async () => {
  const [apiPath, longPath] = [await ensureTestModel("api"), await ensureTestModel("long")];
  api = await startApiHarness(apiPath);
  await api.backend.downloads.importModel(apiPath, "reference");
  await api.backend.downloads.importModel(longPath, "reference");
  [apiModel, longModel] = [fileModelId(apiPath), fileModelId(longPath)];
  client = new OpenAI({ baseURL: api.server.baseUrl, apiKey: HARNESS_API_KEY, maxRetries: 0 });
}, 120_000);
afterAll(() => api?.close());

describe("model selection through the API", () => {
  it("/v1/models lists the loaded model first, then the library", async () => {
    const ids = (await client.models.list()).data.map((m) => m.id);
    expect(ids[0]).toBe(apiModel);
    expect(ids).toContain(longModel);
  });

  it("a name the library does not know answers with the loaded model, and says which", async () => {
    const completion = await client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "Hi" }], max_tokens: 4 });
    expect(completion.model).toBe(apiModel);
  });

  it("a library model that is not loaded is loaded for the request (auto plan) and answers", async () => {
    const completion = await client.chat.completions.create({ model: longModel, messages: [{ role: "user", content: "Write a long answer." }], max_tokens: 6 });
    expect(completion.model).toBe(longModel);
    expect(completion.choices[0]!.finish_reason).toBe("length");
    expect(completion.usage?.completion_tokens).toBe(6);
    expect(api.backend.models.current()?.report.path).toMatch(/m2-long-/);
    // The same load path as the app's: gpu "auto", what the planner picks (here, a machine without a GPU: the CPU).
    expect(api.backend.models.current()?.backend).toBeDefined();
    expect((await client.models.list()).data[0]!.id).toBe(longModel);
  }, 120_000);

  it("409 in the API's own format while another load runs, and the load goes on", async () => {
    const loading = api.backend.loadModel(await ensureTestModel("long"), { gpu: "cpu", contextSize: 2048 });
    const post = (path: string, body: unknown) => fetch(`${api.server.baseUrl}${path}`, { method: "POST", headers: HARNESS_HEADERS, body: JSON.stringify(body) });
    const [openai, anthropic] = await Promise.all([
      post("/chat/completions", { model: apiModel, messages: [{ role: "user", content: "Hi" }] }),
      post("/messages", { model: apiModel, max_tokens: 8, messages: [{ role: "user", content: "Hi" }] }),
    ]);
    await loading;
    expect(openai.status).toBe(409);
    expect(await openai.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "engine_busy", message: expect.stringMatching(new RegExp(`^Model ${apiModel} is not loaded and loading it failed: Already loading`)) as unknown },
    });
    expect(anthropic.status).toBe(409);
    expect(await anthropic.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: expect.stringMatching(/Already loading/) as unknown } });
    expect(api.backend.models.current()?.contextSize).toBe(2048);
  }, 120_000);
});
