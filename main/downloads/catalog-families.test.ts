import { describe, expect, it } from "vitest";
import { catalogView, catalogWithAdded, loadCatalog } from "./catalog";
import type { HubFileCache } from "./hub-cache";

const noListings = { get: () => undefined } as unknown as HubFileCache;

describe("the catalog knows each repo's model", () => {
  it("ships GGUF repos of MiniMax-M2, M2.1, M2.5, M2.7, M3 and M3.1-Flash, each named as its family", () => {
    const view = catalogView(noListings, loadCatalog());
    const families = new Set(view.map((r) => r.family));
    expect([...families].sort()).toEqual(["minimax-m2", "minimax-m2.1", "minimax-m2.5", "minimax-m2.7", "minimax-m3", "minimax-m3.1"]);
    expect(view.find((r) => r.repo === "unsloth/MiniMax-M3.1-Flash-GGUF")).toMatchObject({ family: "minimax-m3.1", familyName: "MiniMax-M3.1" });
    expect(view.find((r) => r.repo === "bartowski/MiniMax-M3-GGUF")).toMatchObject({ family: "minimax-m3", familyName: "MiniMax-M3" });
    // Newest first: the Models page lists the catalog in this order.
    expect(view[0]?.family).toBe("minimax-m3.1");
    expect(view.find((r) => r.repo === "unsloth/MiniMax-M2.5-GGUF")).toMatchObject({ family: "minimax-m2.5", familyName: "MiniMax-M2.5" });
    expect(view.find((r) => r.repo === "bartowski/MiniMaxAI_MiniMax-M2.1-GGUF")).toMatchObject({ family: "minimax-m2.1", familyName: "MiniMax-M2.1" });
    expect(view.find((r) => r.repo === "unsloth/MiniMax-M2-GGUF")).toMatchObject({ family: "minimax-m2", familyName: "MiniMax-M2" });
    for (const repo of view) expect(repo.quants.map((q) => q.quant)).toContain(repo.recommended);
  });

  it("names the family of a repo the user added, or says unknown", () => {
    const view = catalogView(noListings, catalogWithAdded([{ repo: "someone/MiniMax-M2.7-REAP-GGUF" }, { repo: "someone/Qwen3-GGUF" }], loadCatalog()));
    expect(view.find((r) => r.repo === "someone/MiniMax-M2.7-REAP-GGUF")?.family).toBe("minimax-m2.7");
    expect(view.find((r) => r.repo === "someone/Qwen3-GGUF")).toMatchObject({ family: "unknown", familyName: "Unknown model" });
  });
});
