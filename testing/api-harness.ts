import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GenerationRequestSchema, type GenerationRequest } from "../app/contract";
import { createBackend, type Backend } from "../main/backend";
import { forkSpawner } from "../main/engine/fork-spawner";
import { startApiServer, type ApiServerOptions, type RunningApiServer } from "../main/api/server";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "./engine-harness";

/** The key the harness's server requires unless a test sets its own (every request needs one). */
export const HARNESS_API_KEY = "m2d-test-key";
/** Headers of a JSON request that carries the harness's key. */
export const HARNESS_HEADERS = { "Content-Type": "application/json", Authorization: `Bearer ${HARNESS_API_KEY}` };

export interface ApiHarness {
  backend: Backend;
  server: RunningApiServer;
  /** Every generation request the server started, in order. */
  started: GenerationRequest[];
  /** The exact prompt the engine built for a request (the engine's own renderer). */
  renderedPrompt(request: GenerationRequest): Promise<string>;
  close(): Promise<void>;
}

/**
 * The real backend (SQLite file, engine process) with `modelPath` loaded (null: none) and the local API server in front of it.
 * `contextSize`: real clients (Claude Code, Codex) send prompts of tens of thousands of byte-level tokens.
 */
export async function startApiHarness(modelPath: string | null, options: Partial<ApiServerOptions> = {}, { contextSize = 4096 }: { contextSize?: number } = {}): Promise<ApiHarness> {
  const dataDir = mkdtempSync(join(tmpdir(), "m2d-api-"));
  const backend = createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
  if (modelPath) await backend.models.load(modelPath, { gpu: "cpu", contextSize });
  const started: GenerationRequest[] = [];
  const server = await startApiServer(backend, {
    port: 0,
    ...options,
    apiKey: options.apiKey ?? HARNESS_API_KEY,
    onGenerationRequest: (request) => {
      started.push(request);
      options.onGenerationRequest?.(request);
    },
  });
  return {
    backend,
    server,
    started,
    async renderedPrompt(request) {
      const { prompt } = await backend.engine.request({ op: "renderPrompt", request: GenerationRequestSchema.parse(request) }, { timeoutMs: 10_000 });
      return prompt;
    },
    async close() {
      await server.close();
      await backend.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
