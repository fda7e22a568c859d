import type { ModelFamilyId } from "../../../../app/family";
/** Copy-paste setups for the clients people point at the local API server. */

export interface Snippet {
  id: "claude-code" | "codex" | "opencode" | "openai-sdk" | "anthropic-sdk";
  title: string;
  /** Where it goes: a shell, a file. */
  where: string;
  text: string;
}

/** The model a snippet names: any name answers with the loaded model, so this one only says what it is. */
export interface SnippetModel {
  id: string;
  name: string;
}

/** The loaded model's family ("minimax-m3.1", "MiniMax-M3.1"), else MiniMax-M2's, as named before anything is loaded. */
export function snippetModel(family: ModelFamilyId | undefined, familyName: string | undefined): SnippetModel {
  if (family === undefined || family === "unknown" || familyName === undefined) return { id: "minimax-m2", name: "MiniMax-M2" };
  return { id: family, name: familyName };
}

/** The snippets for a server at `baseUrl` (`http://HOST:PORT/v1`) and `key` (masked or real), naming `model`. */
export function clientSnippets(baseUrl: string, key: string, model: SnippetModel = snippetModel(undefined, undefined)): Snippet[] {
  const origin = baseUrl.replace(/\/v1$/, "");
  const modelId = model.id;
  return [
    {
      id: "claude-code",
      title: "Claude Code",
      where: "shell",
      text: `ANTHROPIC_BASE_URL=${origin} ANTHROPIC_API_KEY=${key} claude`,
    },
    {
      id: "codex",
      title: "Codex CLI",
      where: "~/.codex/config.toml (then: M2D_API_KEY=… codex)",
      text: [
        `model = "${modelId}"`,
        `model_provider = "m2desktop"`,
        ``,
        `[model_providers.m2desktop]`,
        `name = "M2 Desktop"`,
        `base_url = "${baseUrl}"`,
        `env_key = "M2D_API_KEY"`,
        `wire_api = "responses"`,
        ``,
        `# export M2D_API_KEY=${key}`,
      ].join("\n"),
    },
    {
      id: "opencode",
      title: "opencode",
      where: "opencode.json",
      text: JSON.stringify(
        {
          $schema: "https://opencode.ai/config.json",
          provider: {
            m2desktop: {
              npm: "@ai-sdk/openai-compatible",
              name: "M2 Desktop",
              options: { baseURL: baseUrl, apiKey: key },
              models: { [modelId]: { name: `${model.name} (M2 Desktop)` } },
            },
          },
        },
        null,
        2,
      ),
    },
    {
      id: "openai-sdk",
      title: "openai SDK",
      where: "TypeScript / JavaScript",
      text: [
        `import OpenAI from "openai";`,
        ``,
        `const client = new OpenAI({ baseURL: "${baseUrl}", apiKey: "${key}" });`,
        `const completion = await client.chat.completions.create({`,
        `  model: "${modelId}",`,
        `  messages: [{ role: "user", content: "Hello" }],`,
        `});`,
      ].join("\n"),
    },
    {
      id: "anthropic-sdk",
      title: "@anthropic-ai/sdk",
      where: "TypeScript / JavaScript",
      text: [
        `import Anthropic from "@anthropic-ai/sdk";`,
        ``,
        `const client = new Anthropic({ baseURL: "${origin}", apiKey: "${key}" });`,
        `const message = await client.messages.create({`,
        `  model: "${modelId}",`,
        `  max_tokens: 1024,`,
        `  messages: [{ role: "user", content: "Hello" }],`,
        `});`,
      ].join("\n"),
    },
  ];
}

/** The key as shown until revealed: its start, then dots. */
export function maskKey(key: string): string {
  return `${key.slice(0, 6)}${"•".repeat(Math.max(8, key.length - 6))}`;
}
