import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Llama } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { ensureTestModel, expectedOutput, expectedTokens } from "../../node/gguf/m2-test-models";
import { closeBackend, openBackend } from "./backend";
import { commonPrefixLength } from "./context-text-map";
import { SequenceGenerator } from "./generator";
import { ModelSession } from "./model-session";
import type { LoadModelOptions } from "./model-session";
import { TokenTextDecoder } from "./token-text-decoder";

/*
 * The scripted test models answer any prompt that ends in "\n" (here: "<think>\n") with a fixed
 * script, one word per token, then the end-of-generation token, even at temperature 1.
 */
const render = (user: string) => `]~!b[]~b]system\nYou are a test.[e~[\n]~b]user\n${user}[e~[\n]~b]ai\n<think>\n`;
const PROMPT = render("Show me some TypeScript.");
const CHAT = expectedOutput("chat", "turn1");
const CHAT_TOKENS = expectedTokens("chat", "turn1");
const LONG = expectedOutput("long", "turn1");

describe("SequenceGenerator on scripted models", () => {
  let llama: Llama;
  let chatModel: string;
  let longModel: string;
  const sessions: ModelSession[] = [];
  async function load(options: Partial<LoadModelOptions> = {}): Promise<ModelSession> {
    const session = await ModelSession.load(llama, { modelPath: chatModel, contextSize: 2048, threads: 1, ...options });
    sessions.push(session);
    return session;
  }

  beforeAll(async () => {
    [chatModel, longModel] = await Promise.all([ensureTestModel("chat"), ensureTestModel("long")]);
    llama = await openBackend({ gpu: false });
  });
  afterAll(async () => {
    for (const session of sessions) await session.unload();
    await closeBackend(llama);
  });

  it("streams one delta per token, joining to the text, and stops at end-of-generation", async () => {
    const session = await load();
    const deltas: string[] = [];
    const result = await session.generate(PROMPT, { onDelta: (text) => deltas.push(text) });
    expect(result).toMatchObject({ text: CHAT, finishReason: "stop" });
    expect(result.stopString).toBeUndefined();
    expect(deltas).toEqual(CHAT_TOKENS);
    expect(result.stats.generatedTokens).toBe(CHAT_TOKENS.length);
    // Every sampled token, the last one before EOS included, is in the KV cache.
    expect(session.contextTokens).toHaveLength(result.stats.promptTokens + result.stats.generatedTokens);
  });

  it("decodes multi-byte characters split across tokens without breaking them", async () => {
    const model = await llama.loadModel({ modelPath: chatModel });
    try {
      const text = "héllo 😀 wörld, 日本語";
      const tokens = model.tokenize(text, true);
      expect(tokens.length).toBeGreaterThan([...text].length); // the vocabulary splits them into bytes
      const decoder = new TokenTextDecoder(model);
      const deltas = tokens.map((token) => decoder.push(token)).filter((delta): delta is string => delta !== undefined);
      for (const delta of deltas) expect(delta).not.toMatch(/\uFFFD/);
      expect(deltas.join("") + decoder.flush()).toBe(text);
    } finally {
      await model.dispose();
    }
  });

  it("ends with length at maxTokens", async () => {
    const session = await load();
    const result = await session.generate(PROMPT, { maxTokens: 5 });
    expect(result).toMatchObject({ finishReason: "length", text: CHAT_TOKENS.slice(0, 5).join("") });
    expect(result.stats.generatedTokens).toBe(5);
  });

  it("stops before a stop string", async () => {
    const session = await load();
    const deltas: string[] = [];
    const result = await session.generate(PROMPT, { stop: ["</think>"], onDelta: (text) => deltas.push(text) });
    expect(result).toMatchObject({ text: CHAT.slice(0, CHAT.indexOf("</think>")), finishReason: "stop", stopString: "</think>" });
    expect(deltas.join("")).toBe(result.text);
  });

  it("reports plausible stats and uses the given seed", async () => {
    const session = await load();
    const { stats, seed } = await session.generate(PROMPT, { maxTokens: 40, seed: 7, temperature: 0.7, topK: 20, topP: 0.9 });
    expect(seed).toBe(7);
    expect(stats.promptTokens).toBe(session.tokenize(PROMPT).length);
    expect(stats.reusedTokens).toBe(0);
    expect(stats.evaluatedTokens).toBe(stats.promptTokens);
    expect(stats.generatedTokens).toBe(40);
    expect(stats.ttftMs).toBeGreaterThan(0);
    expect(stats.ttftMs).toBeLessThanOrEqual(stats.totalMs);
    expect(stats.prefillTokensPerSecond).toBeGreaterThan(0);
    expect(stats.decodeTokensPerSecond).toBeGreaterThan(0);
  });

  it("rejects a prompt longer than the context with context_overflow", async () => {
    const session = await load({ contextSize: 256 });
    const prompt = render("x".repeat(session.contextSize + 10));
    const error = await session.generate(prompt).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      code: "context_overflow",
      details: { promptTokens: session.tokenize(prompt).length, contextSize: session.contextSize },
    });
  });

  it("ends with length when the context is full, never shifting it", async () => {
    const session = await load({ contextSize: 256 });
    let filler = session.contextSize - 4 - session.tokenize(render("")).length;
    while (session.tokenize(render("x".repeat(filler))).length > session.contextSize - 4) filler--;
    const prompt = render("x".repeat(filler));
    const promptTokens = session.tokenize(prompt).length;
    const result = await session.generate(prompt, { maxTokens: 100 });
    expect(result.finishReason).toBe("length");
    expect(result.stats.generatedTokens).toBe(session.contextSize - promptTokens);
    expect(result.text).toBe(CHAT_TOKENS.slice(0, result.stats.generatedTokens).join(""));
    expect(session.contextTokens.slice(0, promptTokens)).toEqual(session.tokenize(prompt));
  });

  it("aborts within 100 ms and keeps the partial text", async () => {
    const session = await load({ modelPath: longModel, contextSize: 4096 });
    const controller = new AbortController();
    const deltas: string[] = [];
    let abortedAt = 0;
    const abortSoon = () =>
      setTimeout(() => {
        abortedAt = performance.now();
        controller.abort();
      }, 50);
    const result = await session.generate(PROMPT, {
      signal: controller.signal,
      onDelta: (text) => {
        if (deltas.push(text) === 1) abortSoon();
      },
    });
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(result.finishReason).toBe("abort");
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.text).toBe(deltas.join(""));
    expect(LONG.startsWith(result.text)).toBe(true);
    expect(result.text.length).toBeLessThan(LONG.length);

    // The session stays usable and still holds the prompt.
    const next = await session.generate(PROMPT, { maxTokens: 3 });
    expect(next.finishReason).toBe("length");
    expect(LONG.startsWith(next.text)).toBe(true);
    expect(next.stats.reusedTokens).toBe(next.stats.promptTokens - 1);
  });

  it("aborts a long prefill within 100 ms", async () => {
    const session = await load({ contextSize: 8192, batchSize: 128 });
    const controller = new AbortController();
    const done = session.generate(render("lorem ipsum ".repeat(550)), { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 20));
    const abortedAt = performance.now();
    controller.abort();
    const result = await done;
    expect(performance.now() - abortedAt).toBeLessThan(100);
    expect(result.finishReason).toBe("abort");
    // What was evaluated before the abort is kept for the next request.
    const next = await session.generate(render("lorem ipsum ".repeat(550)), { maxTokens: 1 });
    expect(next.stats.reusedTokens).toBeGreaterThan(0);
  });

  it("returns at once when aborted before it starts, leaving the cache alone", async () => {
    const session = await load();
    const result = await session.generate(PROMPT, { signal: AbortSignal.abort() });
    expect(result).toMatchObject({ finishReason: "abort", text: "" });
    expect(result.stats.generatedTokens).toBe(0);
    expect(session.contextTokens).toEqual([]);
  });

  it("refuses a second concurrent generation with engine_busy", async () => {
    const session = await load();
    const first = session.generate(PROMPT, { maxTokens: 30 });
    await expect(session.generate(PROMPT)).rejects.toMatchObject({ code: "engine_busy" });
    expect((await first).finishReason).toBe("length");
  });

  it("streams through an async iterator; leaving the loop early aborts", async () => {
    const session = await load();
    const stream = session.stream(PROMPT, { maxTokens: 30 });
    let text = "";
    for await (const delta of stream) text += delta;
    expect(text).toBe((await stream.result).text);

    const early = session.stream(PROMPT);
    for await (const delta of early) if (delta.length > 0) break;
    expect((await early.result).finishReason).toBe("abort");
  });

  describe("KV cache reuse", () => {
    it("evaluates only the new suffix when the prompt extends the previous one", async () => {
      const session = await load();
      await session.generate(PROMPT, { maxTokens: 8 });
      const prompt = `${PROMPT}</think>\n\nDone.[e~[\n]~b]user\nAnd again?[e~[\n]~b]ai\n<think>\n`;
      const result = await session.generate(prompt, { maxTokens: 4 });
      const reused = session.tokenize(PROMPT).length;
      expect(result.stats.reusedTokens).toBe(reused);
      expect(result.stats.evaluatedTokens).toBe(result.stats.promptTokens - reused);
      expect(result.text).toBe(CHAT_TOKENS.slice(0, 4).join(""));
    });

    it("erases the diverging tail and reuses the common prefix", async () => {
      const session = await load();
      await session.generate(PROMPT);
      const held = session.contextTokens;
      const prompt = render("Show me some Python instead.");
      const expectedReuse = commonPrefixLength(held, session.tokenize(prompt));
      expect(expectedReuse).toBeGreaterThan(10);

      const result = await session.generate(prompt);
      expect(result.stats.reusedTokens).toBe(expectedReuse);
      expect(result.stats.evaluatedTokens).toBe(result.stats.promptTokens - expectedReuse);
      expect(result.text).toBe(CHAT);
      // Nothing of the old tail survives: the cache is exactly the new prompt and its answer.
      expect(session.contextTokens.slice(0, result.stats.promptTokens)).toEqual(session.tokenize(prompt));
      expect(session.contextTokens).toHaveLength(result.stats.promptTokens + result.stats.generatedTokens);
    });

    it("reuses the sampled tokens when the answer comes back re-rendered in the next prompt", async () => {
      const session = await load();
      const first = await session.generate(PROMPT);
      const held = session.contextTokens; // the prompt and every sampled token

      const prompt = `${PROMPT}${first.text}[e~[\n]~b]user\nThanks. Once more?[e~[\n]~b]ai\n<think>\n`;
      // Re-tokenized, the answer comes out as other tokens than the ones the model sampled...
      expect(commonPrefixLength(held, session.tokenize(prompt))).toBeLessThan(held.length);

      // ...yet nothing already in the cache is evaluated again.
      const second = await session.generate(prompt);
      expect(second.stats.reusedTokens).toBe(held.length);
      expect(second.stats.evaluatedTokens).toBe(second.stats.promptTokens - held.length);
      expect(second.text).toBe(CHAT);
      expect(session.contextTokens.slice(0, held.length)).toEqual(held);

      // And the turn after that reuses both answers.
      const heldAgain = session.contextTokens;
      const third = await session.generate(`${prompt}${second.text}[e~[\n]~b]user\nLast one.[e~[\n]~b]ai\n<think>\n`, { maxTokens: 2 });
      expect(third.stats.reusedTokens).toBe(heldAgain.length);
    });

    it("re-evaluates only the last token for an identical prompt", async () => {
      const session = await load();
      const first = await session.generate(PROMPT, { maxTokens: 5 });
      const second = await session.generate(PROMPT, { maxTokens: 5 });
      expect(second.stats.reusedTokens).toBe(second.stats.promptTokens - 1);
      expect(second.stats.evaluatedTokens).toBe(1);
      expect(second.text).toBe(first.text);
    });
  });
  describe("the next token is decoded while this one's text is handled", () => {
    /** A generator on its own context, so a test can wait for its background work and read the cache. */
    async function bare(overlapTextWithDecode = true) {
      const model = await llama.loadModel({ modelPath: chatModel });
      const context = await model.createContext({ contextSize: 2048, sequences: 1, threads: 1 });
      const sequence = context.getSequence();
      const dispose = async () => {
        await context.dispose();
        await model.dispose();
      };
      return { sequence, generator: new SequenceGenerator(sequence, { overlapTextWithDecode }), promptTokens: model.tokenize(PROMPT, true).length, dispose };
    }

    it("has the token that completes a stop string evaluated: after settling, the cache holds every sampled token", async () => {
      const { sequence, generator, promptTokens, dispose } = await bare();
      try {
        const result = await generator.generate(PROMPT, { stop: ["</think>"] });
        expect(result).toMatchObject({ text: CHAT.slice(0, CHAT.indexOf("</think>")), finishReason: "stop", stopString: "</think>" });
        await generator.settle();
        // Handled one token at a time, the stopping token would never reach llama.cpp (prompt + generated - 1).
        expect(sequence.contextTokens).toHaveLength(promptTokens + result.stats.generatedTokens);
        // The step that ran past the stop is finished before the next request starts.
        const next = await generator.generate(PROMPT, { maxTokens: 3 });
        expect(next).toMatchObject({ finishReason: "length", text: CHAT_TOKENS.slice(0, 3).join("") });
        expect(next.stats.reusedTokens).toBe(promptTokens - 1);
      } finally {
        await dispose();
      }
    });

    it("without the overlap (every core computing), the stopping token is never evaluated", async () => {
      const { sequence, generator, promptTokens, dispose } = await bare(false);
      try {
        const result = await generator.generate(PROMPT, { stop: ["</think>"] });
        expect(result).toMatchObject({ text: CHAT.slice(0, CHAT.indexOf("</think>")), finishReason: "stop", stopString: "</think>" });
        await generator.settle();
        expect(sequence.contextTokens).toHaveLength(promptTokens + result.stats.generatedTokens - 1);
      } finally {
        await dispose();
      }
    });

    it("never decodes past maxTokens", async () => {
      const { sequence, generator, promptTokens, dispose } = await bare();
      try {
        const result = await generator.generate(PROMPT, { maxTokens: 6 });
        expect(result).toMatchObject({ finishReason: "length", text: CHAT_TOKENS.slice(0, 6).join("") });
        await generator.settle();
        // The sixth token is sampled, not evaluated: no step was started for a seventh.
        expect(sequence.contextTokens).toHaveLength(promptTokens + 5);
      } finally {
        await dispose();
      }
    });

    it("ends with the consumer's error when onDelta throws mid-answer, and the generator stays usable", async () => {
      const { generator, dispose } = await bare();
      try {
        const deltas: string[] = [];
        const result = await generator.generate(PROMPT, {
          onDelta: (text) => {
            if (deltas.push(text) === 3) throw new Error("consumer broke");
          },
        });
        expect(result.finishReason).toBe("error");
        expect(result.error?.message).toContain("consumer broke");
        expect(result.text).toBe(CHAT_TOKENS.slice(0, 3).join(""));
        expect(deltas).toHaveLength(3);
        const next = await generator.generate(PROMPT, { maxTokens: 4 });
        expect(next).toMatchObject({ finishReason: "length", text: CHAT_TOKENS.slice(0, 4).join("") });
      } finally {
        await dispose();
      }
    });
  });
});
