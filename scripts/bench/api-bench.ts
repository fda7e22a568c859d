// npm run bench:api — the local API server against the engine directly, on the real backend and scripted models.
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { AppEvent, GenerationRequest } from "../../app/contract";
import { ensureTestModel } from "../../node/gguf/m2-test-models";
import { HARNESS_HEADERS, startApiHarness, type ApiHarness } from "../../testing/api-harness";

const REPS = Number(process.env.BENCH_REPS ?? 4);
const PROMPT = "Write a long answer.";
const SETTLE_MS = 300;
const TTFT_REPS = Number(process.env.BENCH_TTFT_REPS ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

interface Run { ttftMs: number; tokensPerSecond: number; tokens: number }

/** Straight through the backend's generation service: what the app's own chats get. */
async function direct(api: ApiHarness, maxTokens?: number): Promise<Run> {
  const id = randomUUID();
  const request: GenerationRequest = { messages: [{ role: "user", content: PROMPT }], sampling: maxTokens ? { maxTokens } : {} };
  const startedAt = performance.now();
  let first = 0;
  let last = 0;
  let tokens = 0;
  await new Promise<void>((resolve) => {
    const off = api.backend.events.subscribe((event: AppEvent) => {
      if (event.type !== "generation.event" || event.generationId !== id) return;
      const e = event.event;
      if (e.type === "reasoning_delta" || e.type === "content_delta") {
        last = performance.now();
        if (tokens++ === 0) first = last;
      }
      if (e.type === "done") {
        off();
        resolve();
      }
    });
    void api.backend.generations.start(id, request);
  });
  return { ttftMs: first - startedAt, tokensPerSecond: (tokens - 1) / ((last - first) / 1000), tokens };
}

/** The same generation through HTTP and SSE, read the way a client reads it. */
async function overHttp(api: ApiHarness, maxTokens?: number, baseUrl = api.server.baseUrl): Promise<Run> {
  const startedAt = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: "POST",
    headers: HARNESS_HEADERS,
    body: JSON.stringify({ model: "m2", messages: [{ role: "user", content: PROMPT }], stream: true, ...(maxTokens ? { max_tokens: maxTokens } : {}) }),
  });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  let first = 0;
  let last = 0;
  let tokens = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const events = buffer.split("\n\n");
    buffer = events.pop() ?? "";
    for (const event of events) {
      if (!event.includes('"reasoning_content"') && !/"content":"[^"]/.test(event)) continue;
      last = performance.now();
      if (tokens++ === 0) first = last;
    }
  }
  return { ttftMs: first - startedAt, tokensPerSecond: (tokens - 1) / ((last - first) / 1000), tokens };
}

/** Runs `measure` REPS times per path, each on an idle engine, the two paths taking turns going first. */
async function alternating(reps: number, measure: (viaHttp: boolean) => Promise<Run>): Promise<{ direct: Run[]; http: Run[] }> {
  // Run back to back, the second one's first token waited for the first one's wrap-up.
  const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const runs = { direct: [] as Run[], http: [] as Run[] };
  for (let i = 0; i < reps; i++) {
    for (const viaHttp of i % 2 === 0 ? [true, false] : [false, true]) {
      await settle();
      (viaHttp ? runs.http : runs.direct).push(await measure(viaHttp));
    }
  }
  return runs;
}

/**
 * The reference for the HTTP path's own cost: a bare HTTP server in this process that answers with one SSE token at
 * once. The same client reading it measures what the transport and the client (fetch, on this event loop) take,
 * which no server can avoid.
 */
async function bareSseServer(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const chunk = `data: ${JSON.stringify({ choices: [{ index: 0, delta: { reasoning_content: "x" } }] })}\n\n`;
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      response.end(`${chunk}data: [DONE]\n\n`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function streamingSideBySide(api: ApiHarness): Promise<void> {
  // Unmeasured: the server's first request compiles its code path (tens of ms, once per process).
  await direct(api, 8);
  await overHttp(api, 8);
  // First tokens from many short runs (this box is shared, single runs jitter by tens of ms); decode from long ones.
  const short = await alternating(TTFT_REPS, (viaHttp) => (viaHttp ? overHttp(api, 8) : direct(api, 8)));
  const long = await alternating(REPS, (viaHttp) => (viaHttp ? overHttp(api) : direct(api)));
  const bare = await bareSseServer();
  await overHttp(api, 8, bare.baseUrl);
  const reference: Run[] = [];
  // After the same idle pause as the measured runs: a warm back-to-back loop reads about a third of it.
  for (let i = 0; i < TTFT_REPS; i++) {
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    reference.push(await overHttp(api, 8, bare.baseUrl));
  }
  await bare.close();
  const ttft = { direct: median(short.direct.map((r) => r.ttftMs)), http: median(short.http.map((r) => r.ttftMs)), bare: median(reference.map((r) => r.ttftMs)) };
  const tps = { direct: median(long.direct.map((r) => r.tokensPerSecond)), http: median(long.http.map((r) => r.tokensPerSecond)) };
  console.log(`decode (${long.direct[0]!.tokens} streamed deltas), median of ${REPS}; first token, median of ${TTFT_REPS} short runs:`);
  console.log(`  engine directly  ${tps.direct.toFixed(0)} deltas/s, first token ${ttft.direct.toFixed(1)} ms`);
  console.log(`  HTTP stream      ${tps.http.toFixed(0)} deltas/s, first token ${ttft.http.toFixed(1)} ms`);
  console.log(`  bare HTTP server, same client: first token ${ttft.bare.toFixed(1)} ms (the transport and the client, no server work)`);
  console.log(`  ratio ${(tps.http / tps.direct).toFixed(3)} (goal ≥ 0.97); first token over HTTP vs directly +${(ttft.http - ttft.direct).toFixed(1)} ms,`);
  console.log(`  of which the server adds ${(ttft.http - ttft.direct - ttft.bare).toFixed(1)} ms beyond the bare round trip (goal < 5 ms)`);
}

async function clientsAtOnce(api: ApiHarness, clients: number): Promise<void> {
  const bodies = Array.from({ length: clients }, (_, i) => JSON.stringify({ model: "m2", messages: [{ role: "user", content: `Client ${i}` }], max_tokens: 16 }));
  const results = await Promise.all(
    bodies.map(async (body) => {
      const response = await fetch(`${api.server.baseUrl}/chat/completions`, { method: "POST", headers: HARNESS_HEADERS, body });
      const json = (await response.json()) as { usage?: { completion_tokens: number } };
      return { status: response.status, tokens: json.usage?.completion_tokens };
    }),
  );
  const answered = results.filter((r) => r.status === 200 && r.tokens === 16).length;
  const refused = results.filter((r) => r.status === 429).length;
  console.log(`${clients} clients at once (queue limit ${api.server.queueLimit}): ${answered} answered with 16 tokens, ${refused} refused with 429, ${clients - answered - refused} other`);
}

/**
 * An agent loop through /v1/messages: each step resends the whole conversation plus one tool result. The api-loop
 * model answers in the shape the official template renders a turn back, as a model trained on it does.
 */
async function agentLoop(api: ApiHarness, steps: number): Promise<void> {
  const tools = [{ name: "list_files", description: "List a folder.", input_schema: { type: "object", properties: { path: { type: "string" } } } }];
  const messages: unknown[] = [{ role: "user", content: "Look around the workspace." }];
  console.log(`${steps}-step agent loop through /v1/messages (prompt / cached / evaluated tokens):`);
  let held = 0;
  for (let step = 1; step <= steps; step++) {
    const response = await fetch(`${api.server.baseUrl}/messages`, {
      method: "POST",
      headers: HARNESS_HEADERS,
      body: JSON.stringify({ model: "claude-sonnet-4-5", max_tokens: 512, messages, tools }),
    });
    const message = (await response.json()) as { content: Array<{ type: string; id?: string }>; usage: { input_tokens: number; cache_read_input_tokens: number; output_tokens: number } };
    const prompt = message.usage.input_tokens + message.usage.cache_read_input_tokens;
    // Everything the engine held after the previous step: its prompt and its output.
    const reusedAll = step === 1 ? "" : message.usage.cache_read_input_tokens === held ? ", all of the previous step reused" : `, ${held - message.usage.cache_read_input_tokens} of the previous step's tokens re-evaluated`;
    held = prompt + message.usage.output_tokens;
    console.log(`  step ${String(step).padStart(2)}: ${prompt} / ${message.usage.cache_read_input_tokens} / ${message.usage.input_tokens}${reusedAll}`);
    const call = message.content.find((b) => b.type === "tool_use");
    if (!call) throw new Error(`step ${step} made no tool call`);
    messages.push({ role: "assistant", content: message.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: `listing ${step}: a.txt b.txt` }] });
  }
}

async function main(): Promise<void> {
  const api = await startApiHarness(await ensureTestModel("long"), { queueLimit: 4 });
  try {
    await streamingSideBySide(api);
    await clientsAtOnce(api, 8);
    await api.backend.models.load(await ensureTestModel("api-loop"), { gpu: "cpu", contextSize: 8192 });
    await agentLoop(api, 10);
  } finally {
    await api.close();
  }
}

await main();
