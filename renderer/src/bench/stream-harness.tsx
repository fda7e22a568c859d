import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { AppEventSchema, type GenerationEvent } from "../../../app/contract";
import type { StoredMessage } from "../../../app/chat/types";
import { MessageList } from "../components/chat/MessageList";
import { useChatStore } from "../stores/chat-store";
import { useStreamStore } from "../stores/stream-store";
import { benchMarkdownTokens, benchReasoningTokens } from "./bench-text";
import "katex/dist/katex.min.css";
import "../styles.css";

/*
 * Renderer-only streaming benchmark (scripts/bench-ui.mjs): the real MessageList,
 * stores and markdown pipeline, fed generation events at a fixed token rate exactly
 * as the contract client delivers them (schema-parsed AppEvents into the stream
 * store). No backend: the backend is not what this measures. Not part of the app build.
 */

interface StreamOptions {
  tokens: number;
  rate: number;
  reasoningTokens: number;
}

export interface StreamResult {
  tokens: number;
  seconds: number;
  longTasks: { count: number; totalMs: number; maxMs: number };
  frames: { count: number; p50: number; p95: number; p99: number; max: number };
  settleMs: number;
  blocks: number;
  /** The slowest long animation frames: where their time went (script vs style and layout). */
  worstFrames: { ms: number; scriptMs: number; layoutMs: number; top: string }[];
}

interface LoafEntry extends PerformanceEntry {
  renderStart: number;
  styleAndLayoutStart: number;
  scripts: { duration: number; invoker: string; sourceFunctionName: string }[];
}

const message = (over: Partial<StoredMessage>): StoredMessage => ({
  id: "m",
  conversationId: "bench",
  parentId: null,
  role: "user",
  content: "",
  reasoning: "",
  toolCalls: [],
  status: "complete",
  createdAt: 0,
  updatedAt: 0,
  ...over,
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

function deliver(generationId: string, event: GenerationEvent) {
  const parsed = AppEventSchema.safeParse({ type: "generation.event", generationId, event });
  if (parsed.success && parsed.data.type === "generation.event") useStreamStore.getState().ingest(parsed.data.generationId, parsed.data.event);
}

async function stream({ tokens, rate, reasoningTokens }: StreamOptions): Promise<StreamResult> {
  const reasoning = benchReasoningTokens(reasoningTokens);
  const content = benchMarkdownTokens(tokens - reasoning.length);
  const user = message({ id: "u1", content: "Write a very long markdown answer." });
  const answer = message({ id: "a1", parentId: "u1", role: "assistant", status: "streaming" });
  const generationId = "bench-generation";
  useChatStore.setState({
    conversationId: "bench",
    items: [
      { message: user, siblings: { index: 0, count: 1, ids: ["u1"] } },
      { message: answer, siblings: { index: 0, count: 1, ids: ["a1"] } },
    ],
  });
  useStreamStore.getState().link("a1", generationId);
  await new Promise((r) => setTimeout(r, 500));

  const longTasks: PerformanceEntry[] = [];
  const observer = new PerformanceObserver((list) => longTasks.push(...list.getEntries()));
  observer.observe({ type: "longtask", buffered: false });
  const loafs: LoafEntry[] = [];
  const loafObserver = new PerformanceObserver((list) => loafs.push(...(list.getEntries() as LoafEntry[])));
  try {
    loafObserver.observe({ type: "long-animation-frame", buffered: false });
  } catch {
    // not in this browser
  }
  const frames: number[] = [];
  let measuring = true;
  let last = performance.now();
  const onFrame = (now: number) => {
    frames.push(now - last);
    last = now;
    if (measuring) requestAnimationFrame(onFrame);
  };
  requestAnimationFrame((now) => {
    last = now;
    requestAnimationFrame(onFrame);
  });

  const all = [...reasoning.map((text) => ({ type: "reasoning_delta" as const, text })), ...content.map((text) => ({ type: "content_delta" as const, text }))];
  const start = performance.now();
  await new Promise<void>((resolve) => {
    let sent = 0;
    const tick = () => {
      const due = Math.min(all.length, Math.floor(((performance.now() - start) * rate) / 1000));
      while (sent < due) {
        const event = all[sent++];
        if (event) deliver(generationId, event);
      }
      if (sent < all.length) setTimeout(tick, 10);
      else resolve();
    };
    tick();
  });
  const streamedAt = performance.now();

  // The end, as the backend reports it: done, then the stored message turns final.
  deliver(generationId, { type: "done", finish_reason: "stop" });
  await new Promise((r) => setTimeout(r, 100));
  const settleStart = performance.now();
  useChatStore.setState((s) => ({
    items: s.items.map((i) => (i.message.id === "a1" ? { ...i, message: { ...i.message, status: "complete", content: content.join(""), reasoning: reasoning.join("") } } : i)),
  }));
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 0)));
  const settleMs = performance.now() - settleStart;
  await new Promise((r) => setTimeout(r, 1000));
  measuring = false;
  observer.disconnect();
  loafObserver.disconnect();

  const sorted = frames.slice(2).sort((a, b) => a - b);
  const tasks = longTasks.filter((t) => t.startTime >= start);
  return {
    tokens: all.length,
    seconds: (streamedAt - start) / 1000,
    longTasks: { count: tasks.length, totalMs: Math.round(tasks.reduce((a, t) => a + t.duration, 0)), maxMs: Math.round(Math.max(0, ...tasks.map((t) => t.duration))) },
    frames: { count: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
    settleMs,
    blocks: document.querySelectorAll(".md-block").length,
    worstFrames: loafs
      .filter((f) => f.startTime >= start)
      .sort((a, b) => b.duration - a.duration)
      .slice(0, 5)
      .map((f) => {
        const scripts = [...f.scripts].sort((a, b) => b.duration - a.duration);
        return {
          ms: Math.round(f.duration),
          scriptMs: Math.round(scripts.reduce((a, x) => a + x.duration, 0)),
          layoutMs: Math.round(f.styleAndLayoutStart > 0 ? f.startTime + f.duration - f.styleAndLayoutStart : 0),
          top: scripts.slice(0, 2).map((x) => `${x.invoker || x.sourceFunctionName} ${Math.round(x.duration)}ms`).join(", "),
        };
      }),
  };
}

(window as unknown as { __m2dBench: unknown }).__m2dBench = { stream };

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <div className="bench-shell" style={{ height: "100vh", display: "flex", flexDirection: "column" }}>
      <section className="chat-main" style={{ flex: 1 }}>
        <MessageList />
      </section>
    </div>
  </StrictMode>,
);
