import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { detectModelFamily, type FamilyEvidence } from "./detect";
import type { ModelFamily } from "./protocol";
import { familyById, familyThinking, MODEL_FAMILIES } from "./registry";

const m2Template = readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8");
const m3Template = readFileSync(new URL("../../resources/minimax-m3.jinja", import.meta.url), "utf8");
const official = (family: ModelFamily) =>
  family.templateFile === undefined ? undefined : readFileSync(new URL(`../../resources/${family.templateFile}`, import.meta.url), "utf8");

const detect = (evidence: Partial<FamilyEvidence>) =>
  detectModelFamily({ architecture: "minimax-m2", name: null, chatTemplate: null, ...evidence }, official);

describe("detectModelFamily", () => {
  it.each<[string, Partial<FamilyEvidence>, string, string]>([
    ["M2's official template on any architecture", { architecture: "llama", chatTemplate: `${m2Template}\n\n` }, "minimax-m2", "template"],
    ["general.name MiniMax-M2", { name: "MiniMax-M2" }, "minimax-m2", "name"],
    ["general.name MiniMax-M2.1", { name: "MiniMax-M2.1" }, "minimax-m2.1", "name"],
    ["general.name Minimax M2.5 (space, case)", { name: "Minimax M2.5" }, "minimax-m2.5", "name"],
    ["general.name MiniMax_M2.7 REAP", { name: "MiniMax_M2.7 REAP 162B" }, "minimax-m2.7", "name"],
    ["a shard's file name when general.name is missing", { fileName: "MiniMax-M2.5-UD-Q3_K_XL-00001-of-00004.gguf" }, "minimax-m2.5", "name"],
    ["bartowski's file name", { fileName: "MiniMaxAI_MiniMax-M2.1-Q4_K_M-00001-of-00004.gguf" }, "minimax-m2.1", "name"],
    ["name wins over file name", { name: "MiniMax-M2.7", fileName: "MiniMax-M2.1.gguf" }, "minimax-m2.7", "name"],
    [
      "a fine-tune named otherwise whose template says M2.1",
      { name: "SuperCoder", chatTemplate: "{%- set model_identity = \"You are a helpful assistant. Your name is MiniMax-M2.1 and is built by MiniMax.\" -%}" },
      "minimax-m2.1",
      "template-marker",
    ],
    ["the architecture alone", { name: "my-merge" }, "minimax-m2", "architecture"],
    ["general.name MiniMax-M3.1-Flash", { architecture: "minimax-m3", name: "MiniMax-M3.1-Flash" }, "minimax-m3.1", "name"],
    ["an M3.1 shard's file name", { architecture: "minimax-m3", fileName: "MiniMax-M3.1-Flash-Q4_K_M-00001-of-00003.gguf" }, "minimax-m3.1", "name"],
    ["M3's official template in an M3.1 GGUF (the name picks)", { architecture: "minimax-m3", name: "MiniMax M3.1", chatTemplate: m3Template }, "minimax-m3.1", "template"],
    ["M3's official template, no name", { architecture: "minimax-m3", chatTemplate: m3Template }, "minimax-m3", "template"],
    ["general.name MiniMax-M3", { architecture: "minimax-m3", name: "MiniMax-M3" }, "minimax-m3", "name"],
    ["nothing at all on minimax-m2", {}, "minimax-m2", "architecture"],
  ])("%s", (_name, evidence, id, by) => {
    const detection = detect(evidence);
    expect(detection).toMatchObject({ id, by, displayName: familyById(detection.id as never)?.displayName });
  });

  it.each<[string, Partial<FamilyEvidence>]>([
    ["an M2.5 name on another architecture", { architecture: "llama", name: "MiniMax-M2.5" }],
    ["a Qwen GGUF", { architecture: "qwen3moe", name: "Qwen3-235B", chatTemplate: "{{ messages }}" }],
    ["an M2.1 marker on another architecture", { architecture: "llama", chatTemplate: "Your name is MiniMax-M2.1 and is built by MiniMax." }],
  ])("unknown: %s", (_name, evidence) => {
    expect(detect(evidence)).toEqual({ family: null, id: "unknown", displayName: "Unknown model", by: "none" });
  });

  it("does not take M30 or M3.10 for M3 or M3.1", () => {
    for (const name of ["MiniMax-M30", "MiniMax-M3.10"]) expect(detect({ architecture: "minimax-m3", name })).toMatchObject({ id: "minimax-m3", by: "architecture" });
  });

  it("M3.1 is prompted and parsed with M3's protocol and offers its thinking modes; no M2 model offers modes", () => {
    expect(familyById("minimax-m3.1")?.protocol).toBe(familyById("minimax-m3")?.protocol);
    expect(familyThinking("minimax-m3.1")).toEqual({ modes: ["enabled", "adaptive", "disabled"], defaultMode: "adaptive" });
    for (const id of ["minimax-m2", "minimax-m2.1", "minimax-m2.5", "minimax-m2.7", "unknown"] as const) expect(familyThinking(id)).toBeUndefined();
  });

  it("does not take M20, M2.10 or M2.15 for M2 or M2.1", () => {
    for (const name of ["MiniMax-M20", "MiniMax-M2.10", "MiniMax-M2.15"]) {
      expect(detect({ name }).by).toBe("architecture");
    }
  });

  it("lists each family once, with name patterns that match only their own display name", () => {
    expect(new Set(MODEL_FAMILIES.map((f) => f.id)).size).toBe(MODEL_FAMILIES.length);
    for (const family of MODEL_FAMILIES) {
      const matching = MODEL_FAMILIES.filter((other) => other.match.name.test(family.displayName));
      expect(matching.map((f) => f.id)).toEqual([family.id]);
    }
  });

  it("keeps MiniMax's sampling as data: 1.0 / 0.95 / 40 for every family", () => {
    for (const family of MODEL_FAMILIES) expect(family.sampling).toEqual({ temperature: 1.0, topP: 0.95, topK: 40 });
  });
});
