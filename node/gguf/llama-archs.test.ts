import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { isSupportedArchitecture, SUPPORTED_ARCHITECTURES, TARGET_ARCHITECTURE } from "./llama-archs";

/** The prebuilt libllama node-llama-cpp ships for this platform, if any. */
function bundledLibllama(): Buffer | undefined {
  const root = fileURLToPath(new URL("../../node_modules/@node-llama-cpp/", import.meta.url));
  if (!existsSync(root)) return undefined;
  for (const pkg of readdirSync(root)) {
    const bins = join(root, pkg, "bins");
    if (!existsSync(bins)) continue;
    for (const flavor of readdirSync(bins)) {
      const lib = readdirSync(join(bins, flavor)).find((f) => /^(lib)?llama[.\w]*\.(so|dylib|dll)$/.test(f));
      if (lib) return readFileSync(join(bins, flavor, lib));
    }
  }
  return undefined;
}

describe("supported architectures", () => {
  it("includes minimax-m2 and rejects unknown names", () => {
    expect(isSupportedArchitecture(TARGET_ARCHITECTURE)).toBe(true);
    expect(isSupportedArchitecture("foo")).toBe(false);
    expect(isSupportedArchitecture("clip")).toBe(false);
  });

  const lib = bundledLibllama();
  it.skipIf(!lib)("every listed name is an arch string in the bundled libllama", () => {
    const missing = SUPPORTED_ARCHITECTURES.filter((a) => !lib?.includes(Buffer.from(`${a}\0`)));
    expect(missing).toEqual([]);
  });
});
