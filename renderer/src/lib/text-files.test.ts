import { describe, expect, it } from "vitest";
import { fileInsertion, isTextFile, refusalReason } from "./text-files";

describe("text files", () => {
  it("accepts text and source files, refuses binaries and huge files", () => {
    expect(isTextFile({ name: "a.ts", type: "", size: 10 })).toBe(true);
    expect(isTextFile({ name: "notes", type: "text/plain", size: 10 })).toBe(true);
    expect(isTextFile({ name: "photo.png", type: "image/png", size: 10 })).toBe(false);
    expect(isTextFile({ name: "big.txt", type: "text/plain", size: 3 * 1024 * 1024 })).toBe(false);
  });

  it("says why a file is refused: images (no vision), huge files, binaries", () => {
    expect(refusalReason({ name: "photo.png", type: "image/png", size: 10 })).toBe("photo.png is an image: the model has no vision, so only text files can be attached.");
    expect(refusalReason({ name: "scan.JPG", type: "", size: 10 })).toContain("is an image");
    expect(refusalReason({ name: "big.txt", type: "text/plain", size: 3 * 1024 * 1024 })).toBe("big.txt is over 2 MB: attach a smaller text file.");
    expect(refusalReason({ name: "app.exe", type: "application/octet-stream", size: 10 })).toContain("is not a text file");
    expect(refusalReason({ name: "a.ts", type: "", size: 10 })).toBeNull();
  });

  it("fences code with a fence longer than any inside", () => {
    expect(fileInsertion("a.py", "print(1)\n")).toBe("a.py:\n```py\nprint(1)\n```");
    expect(fileInsertion("doc.md", "# Hi")).toBe("# Hi");
    expect(fileInsertion("x.md.js", "a ``` b")).toContain("````js");
  });
});
