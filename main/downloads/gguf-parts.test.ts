import { describe, expect, it } from "vitest";
import { groupQuants, localNames, partInfo, quantOf } from "./gguf-parts";

const f = (path: string, size = 10, sha256: string | null = null) => ({ path, size, sha256 });

describe("quant names and part grouping", () => {
  it("reads the quant from file names of each publisher's layout", () => {
    expect(quantOf("UD-Q2_K_XL/MiniMax-M2-UD-Q2_K_XL-00001-of-00002.gguf")).toBe("UD-Q2_K_XL");
    expect(quantOf("MiniMaxAI_MiniMax-M2-Q4_K_M/MiniMaxAI_MiniMax-M2-Q4_K_M-00003-of-00004.gguf")).toBe("Q4_K_M");
    expect(quantOf("MiniMax-M2.Q8_0.gguf.part2of3")).toBe("Q8_0");
    expect(quantOf("MiniMax-M2-UD-IQ1_S.gguf")).toBe("UD-IQ1_S");
    expect(quantOf("BF16/MiniMax-M2-BF16-00001-of-00010.gguf")).toBe("BF16");
    expect(quantOf("weird/model.gguf")).toBeNull();
  });

  it("recognises gguf-split shards and byte-split parts", () => {
    expect(partInfo("a-00002-of-00003.gguf")).toEqual({ base: "a.gguf", layout: "split", index: 2, count: 3 });
    expect(partInfo("a.Q4_K_M.gguf.part1of2")).toEqual({ base: "a.Q4_K_M.gguf", layout: "concat", index: 1, count: 2 });
    expect(partInfo("README.md")).toBeNull();
  });

  it("groups shards into one model per quant, ordered, and flags missing parts", () => {
    const groups = groupQuants([
      f("README.md"),
      f("Q4_K_M/M-Q4_K_M-00002-of-00002.gguf", 20),
      f("Q4_K_M/M-Q4_K_M-00001-of-00002.gguf", 30),
      f("Q8_0/M-Q8_0-00001-of-00003.gguf", 40),
      f("M.Q6_K.gguf.part2of2", 5),
      f("M.Q6_K.gguf.part1of2", 5),
      f("mmproj-F16.gguf", 1),
    ]);
    const q4 = groups.find((g) => g.quant === "Q4_K_M");
    expect(q4).toMatchObject({ layout: "split", partCount: 2, complete: true, totalBytes: 50 });
    expect(q4?.files.map((x) => x.path)).toEqual(["Q4_K_M/M-Q4_K_M-00001-of-00002.gguf", "Q4_K_M/M-Q4_K_M-00002-of-00002.gguf"]);
    expect(groups.find((g) => g.quant === "Q8_0")).toMatchObject({ complete: false, partCount: 3 });
    const q6 = groups.find((g) => g.quant === "Q6_K");
    expect(q6).toMatchObject({ layout: "concat", complete: true });
    expect(q6 && localNames(q6)).toEqual(["M.Q6_K.gguf"]);
    expect(groups.some((g) => g.key.includes("mmproj"))).toBe(false);
  });
});
