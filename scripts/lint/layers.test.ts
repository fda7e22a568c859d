import { Linter } from "eslint";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import tseslint from "typescript-eslint";
import layers, { LAYERS } from "./layers.js";

const root = join(import.meta.dirname, "..", "..");
const linter = new Linter({ configType: "flat" });
const config = [{ files: ["**/*.ts"], languageOptions: { parser: tseslint.parser }, plugins: { layers }, rules: { "layers/imports": "error" as const } }];

function violations(file: string, spec: string): string[] {
  const code = `import { x } from "${spec}";\nexport const y = () => import("${spec}");\nexport { x };\n`;
  return linter.verify(code, config, { filename: join(root, file) }).map((m) => m.message);
}

describe("layer rule (scripts/lint/layers.js)", () => {
  it("refuses each import the matrix forbids, static and dynamic", () => {
    expect(violations("app/m2/a.ts", "../../node/gguf/report")).toHaveLength(2);
    expect(violations("main/services/a.ts", "../../engine/llama/backend")).toHaveLength(2);
    expect(violations("engine/llama/a.ts", "../../main/engine/supervisor")).toHaveLength(2);
    expect(violations("node/gguf/a.ts", "../../engine/llama/backend")).toHaveLength(2);
    expect(violations("renderer/src/a.ts", "../../node/gguf/report")).toHaveLength(2);
    expect(violations("main/services/a.ts", "../../testing/engine-harness")).toHaveLength(2);
    expect(violations("main/services/a.ts", "../../engine/llama/backend")[0]).toContain("Layer 'main' may not import 'engine'");
  });

  it("allows what the matrix allows, including main's own engine/ folder and tests using testing/", () => {
    expect(violations("main/services/a.ts", "../engine/supervisor")).toEqual([]);
    expect(violations("main/services/a.ts", "../../node/gguf/report")).toEqual([]);
    expect(violations("engine/llama/a.ts", "../../app/contract")).toEqual([]);
    expect(violations("renderer/src/a.ts", "../../app/contract")).toEqual([]);
    expect(violations("main/services/a.test.ts", "../../testing/engine-harness")).toEqual([]);
    expect(violations("main/version.ts", "../package.json")).toEqual([]);
  });

  it("app imports nothing of ours but itself", () => {
    expect(LAYERS.app).toEqual(["app"]);
  });
});
