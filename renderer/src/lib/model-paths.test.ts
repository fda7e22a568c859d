import { describe, expect, it } from "vitest";
import type { LoadedModel } from "../../../app/contract";
import { isLoadedPath, normalPath } from "./model-paths";

describe("model paths", () => {
  it("spells one file one way: doubled and trailing slashes, ./ segments, backslashes", () => {
    expect(normalPath(" /models//m2/./Q4.gguf ")).toBe("/models/m2/Q4.gguf");
    expect(normalPath("C:\\models\\m2.gguf")).toBe("C:/models/m2.gguf");
    expect(normalPath("/")).toBe("/");
    expect(normalPath("/a/b/")).toBe("/a/b");
  });

  it("a path typed by hand, picked from Recent or from the Library marks the same loaded model", () => {
    const loaded = { report: { path: "/models/m2/Q4.gguf" } } as LoadedModel;
    expect(isLoadedPath(loaded, "/models//m2/Q4.gguf")).toBe(true);
    expect(isLoadedPath(loaded, "/models/m2/Q8.gguf")).toBe(false);
    expect(isLoadedPath(null, "/models/m2/Q4.gguf")).toBe(false);
  });
});
