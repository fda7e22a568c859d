import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readGgufFileInfo } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeM2HeaderOnly } from "./m2-header-only";
import { readGgufHeader } from "./reader";

let dir: string;
beforeAll(async () => { dir = await mkdtemp(join(tmpdir(), "gguf-reader-")); });
afterAll(async () => { await rm(dir, { recursive: true, force: true }); });

describe("readGgufHeader", () => {
  it("agrees with node-llama-cpp's parser on a 4.5 MB header (reads span many 1 MiB windows)", async () => {
    const path = join(dir, "m2.gguf");
    await writeM2HeaderOnly(path, "Q4_K_M");
    const ours = await readGgufHeader(path);
    const theirs = await readGgufFileInfo(path, { logWarnings: false });
    expect(ours.dataOffset).toBeGreaterThan(4 << 20);
    expect(ours.tensors.map((t) => [t.name, t.shape, t.type.id, t.offset])).toEqual(
      (theirs.tensorInfo ?? []).map((t) => [t.name, t.dimensions.map(Number), t.ggmlType, Number(t.offset)]),
    );
    const tokens = ours.metadata.get("tokenizer.ggml.tokens");
    expect(tokens?.type === "array" ? tokens.values.length : 0).toBe(theirs.metadata.tokenizer?.ggml.tokens.length);
  });
});
