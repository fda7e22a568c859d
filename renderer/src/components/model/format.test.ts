import { describe, expect, it } from "vitest";
import type { LoadedModel } from "../../../../app/contract";
import { promptFormatFact } from "./format";

const loaded = (report: Partial<LoadedModel["report"]>, promptFormat: LoadedModel["promptFormat"]): LoadedModel =>
  ({ report: { family: "minimax-m2", familyName: "MiniMax-M2", chatTemplate: "official", ...report }, promptFormat }) as LoadedModel;

describe("promptFormatFact", () => {
  it("names the family and says nothing more for an official template or a known revision", () => {
    expect(promptFormatFact(loaded({}, "m2-renderer"))).toEqual({ fact: "MiniMax-M2 · official template" });
    expect(promptFormatFact(loaded({ family: "minimax-m2.5", familyName: "MiniMax-M2.5" }, "m2-renderer")).notice).toBeUndefined();
  });

  it("warns when a known model's file has a template of its own", () => {
    const { fact, notice } = promptFormatFact(loaded({ chatTemplate: "modified" }, "embedded-template"));
    expect(fact).toBe("MiniMax-M2 · the file's own template");
    expect(notice).toContain("not MiniMax's official MiniMax-M2 template");
  });

  it("says when the file has no template and the app's format is used", () => {
    expect(promptFormatFact(loaded({ chatTemplate: "missing" }, "m2-renderer"))).toEqual({ fact: "MiniMax-M2 · no template in the file, the app's MiniMax-M2 format" });
  });

  it("warns about a model it does not recognise: its own template, plain-text replies", () => {
    const own = promptFormatFact(loaded({ family: "unknown", familyName: "Unknown model", chatTemplate: "modified" }, "embedded-template"));
    expect(own.fact).toBe("Unknown model · the file's own template");
    expect(own.notice).toContain("plain text");
    const none = promptFormatFact(loaded({ family: "unknown", familyName: "Unknown model", chatTemplate: "missing" }, "m2-renderer"));
    expect(none.notice).toContain("MiniMax-M2's format");
  });
});
