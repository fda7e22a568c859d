import { describe, expect, it } from "vitest";
import { clientSnippets, maskKey, snippetModel } from "./snippets";

const BASE = "http://127.0.0.1:1234/v1";
const KEY = "m2d-abcdefghijklmnopqrstuvwxyz012345";
const byId = Object.fromEntries(clientSnippets(BASE, KEY).map((s) => [s.id, s.text]));

describe("client snippets", () => {
  it("Claude Code and the Anthropic SDK take the origin without /v1; the OpenAI clients take /v1", () => {
    expect(byId["claude-code"]).toBe(`ANTHROPIC_BASE_URL=http://127.0.0.1:1234 ANTHROPIC_API_KEY=${KEY} claude`);
    expect(byId["anthropic-sdk"]).toContain(`baseURL: "http://127.0.0.1:1234", apiKey: "${KEY}"`);
    expect(byId["openai-sdk"]).toContain(`baseURL: "${BASE}", apiKey: "${KEY}"`);
  });

  it("Codex CLI gets a model_providers entry speaking the Responses API, its key from the environment", () => {
    expect(byId.codex).toContain(`[model_providers.m2desktop]\nname = "M2 Desktop"\nbase_url = "${BASE}"\nenv_key = "M2D_API_KEY"\nwire_api = "responses"`);
    expect(byId.codex).toMatch(/^model = "minimax-m2"\nmodel_provider = "m2desktop"\n/);
  });

  it("opencode gets valid provider JSON for an OpenAI-compatible endpoint", () => {
    const config = JSON.parse(byId.opencode!) as { provider: { m2desktop: { npm: string; options: { baseURL: string; apiKey: string } } } };
    expect(config.provider.m2desktop).toMatchObject({ npm: "@ai-sdk/openai-compatible", options: { baseURL: BASE, apiKey: KEY } });
  });

  it("names the loaded model's family, MiniMax-M2 before anything (or an unknown model) is loaded", () => {
    const m31 = Object.fromEntries(clientSnippets(BASE, KEY, snippetModel("minimax-m3.1", "MiniMax-M3.1")).map((s) => [s.id, s.text]));
    expect(m31.codex).toMatch(/^model = "minimax-m3.1"\n/);
    expect(m31["openai-sdk"]).toContain(`model: "minimax-m3.1"`);
    expect(JSON.parse(m31.opencode!).provider.m2desktop.models).toEqual({ "minimax-m3.1": { name: "MiniMax-M3.1 (M2 Desktop)" } });
    expect(snippetModel("unknown", "Unknown model")).toEqual({ id: "minimax-m2", name: "MiniMax-M2" });
    expect(snippetModel(undefined, undefined)).toEqual({ id: "minimax-m2", name: "MiniMax-M2" });
  });

  it("a masked key keeps only its start", () => {
    const masked = maskKey(KEY);
    expect(masked.startsWith("m2d-ab")).toBe(true);
    expect(masked).not.toContain(KEY.slice(6));
  });
});
