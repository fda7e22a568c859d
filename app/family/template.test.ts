import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { familyById } from "./registry";
import { classifyChatTemplate, protocolForTemplate } from "./template";

const m2File = readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8");
const m3File = readFileSync(new URL("../../resources/minimax-m3.jinja", import.meta.url), "utf8");
const m2 = familyById("minimax-m2")!;
const m25 = familyById("minimax-m2.5")!;
const m3 = familyById("minimax-m3")!;

describe("classifyChatTemplate", () => {
  it("calls the reference template official, trailing whitespace aside", () => {
    expect(classifyChatTemplate(m2File, m2, m2File)).toBe("official");
    expect(classifyChatTemplate(`${m2File}\n\n  \t`, m2, m2File)).toBe("official");
    expect(classifyChatTemplate(m3File.trimEnd(), m3, m3File)).toBe("official");
  });

  it("calls a revision the family's protocol knows official: M2's file with M2.5's identity", () => {
    const revision = m2File.replace("You are a helpful assistant.", "You are a helpful assistant. Your name is MiniMax-M2.5 and is built by MiniMax.");
    expect(classifyChatTemplate(revision, m25, m2File)).toBe("official");
    const prompt = protocolForTemplate(m25, revision, m2File)?.renderPrompt({ messages: [{ role: "user", content: "hi" }] });
    expect(prompt).toContain("Your name is MiniMax-M2.5 and is built by MiniMax.[e~[");
  });

  it("calls any other change modified; M3's protocol knows only its file", () => {
    expect(classifyChatTemplate(m2File.replace("]~b]user", "]~b]human"), m2, m2File)).toBe("modified");
    expect(classifyChatTemplate(m3File.replace("\n", "\n "), m3, m3File)).toBe("modified");
    expect(classifyChatTemplate(m3File.replaceAll("\n", "\r\n"), m3, m3File)).toBe("modified");
    expect(classifyChatTemplate("{{ messages }}", m2, m2File)).toBe("modified");
  });

  it("calls absent or blank templates missing", () => {
    expect(classifyChatTemplate(undefined, m2, m2File)).toBe("missing");
    expect(classifyChatTemplate(" \n\t", m2, m2File)).toBe("missing");
  });

  it("has no official template for a model of no known family, or without a reference", () => {
    expect(classifyChatTemplate(m2File, null, m2File)).toBe("modified");
    expect(classifyChatTemplate(m2File, m2, undefined)).toBe("modified");
    expect(classifyChatTemplate(undefined, null, undefined)).toBe("missing");
  });
});
