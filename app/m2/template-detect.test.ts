import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { classifyChatTemplate } from "./template-detect";

const official = readFileSync(new URL("../../resources/minimax-m2.jinja", import.meta.url), "utf8");

describe("classifyChatTemplate", () => {
  it("recognizes the official template", () => {
    expect(classifyChatTemplate(official, official)).toBe("official");
  });

  it("ignores trailing whitespace at the end only", () => {
    expect(classifyChatTemplate(official.trimEnd(), official)).toBe("official");
    expect(classifyChatTemplate(`${official}\n\n  \t`, official)).toBe("official");
    expect(classifyChatTemplate(official, `${official.trimEnd()}\r\n`)).toBe("official");
  });

  it("treats any other change as modified", () => {
    expect(classifyChatTemplate(official.replace("You are a helpful assistant.", "You are M2."), official)).toBe(
      "modified",
    );
    expect(classifyChatTemplate(` ${official}`, official)).toBe("modified");
    // Whitespace inside the template can reach the prompt, so it counts.
    expect(classifyChatTemplate(official.replace("\n", "\n "), official)).toBe("modified");
    expect(classifyChatTemplate(official.replaceAll("\n", "\r\n"), official)).toBe("modified");
    expect(classifyChatTemplate("{{ messages }}", official)).toBe("modified");
  });

  it("reports absent or blank templates as missing", () => {
    expect(classifyChatTemplate(undefined, official)).toBe("missing");
    expect(classifyChatTemplate("", official)).toBe("missing");
    expect(classifyChatTemplate(" \n\t", official)).toBe("missing");
  });

  it("counts a present template as modified when there is no official copy to compare with", () => {
    expect(classifyChatTemplate(official, undefined)).toBe("modified");
    expect(classifyChatTemplate(undefined, undefined)).toBe("missing");
  });
});
