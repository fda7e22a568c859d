import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "..");
const script = join(root, "scripts", "engine-build.mjs");

function engineBuild(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [script, ...args], { cwd: root, encoding: "utf8", env: { ...process.env, ...env } });
}

describe("engine:build cache key", () => {
  const version = (JSON.parse(readFileSync(join(root, "node_modules", "node-llama-cpp", "package.json"), "utf8")) as { version: string }).version;

  it("lives outside the repo and names version, llama.cpp release, platform, backend, CPU and patch", () => {
    const out = engineBuild(["--gpu", "vulkan", "--print-key"], { M2_ENGINE_CACHE_DIR: "/tmp/m2-engine-cache" });
    expect(out.status).toBe(0);
    const entry = out.stdout.trim();
    expect(entry).toMatch(
      new RegExp(String.raw`^/tmp/m2-engine-cache/node-llama-cpp-${version.replaceAll(".", String.raw`\.`)}_llama\.cpp-[^_]+_${process.platform}-${process.arch}_vulkan_native-[0-9a-f]{8}_patch-[0-9a-f]{12}$`),
    );
  });

  it("keys portable builds apart from native ones, and backends apart", () => {
    const key = (...args: string[]) => engineBuild(["--print-key", ...args]).stdout.trim();
    const native = key("--gpu", "cuda");
    const portable = key("--gpu", "cuda", "--portable");
    expect(portable).toMatch(/_cuda_portable_patch-/);
    expect(portable.replace("_portable_", "_")).toBe(native.replace(/_native-[0-9a-f]{8}_/, "_"));
    expect(key("--gpu", "cpu")).not.toBe(key("--gpu", "vulkan"));
  });

  it("folds node-llama-cpp's custom CMake options into the key", () => {
    const plain = engineBuild(["--gpu", "vulkan", "--print-key"]).stdout.trim();
    const custom = engineBuild(["--gpu", "vulkan", "--print-key"], { NODE_LLAMA_CPP_CMAKE_OPTION_GGML_VULKAN_DEBUG: "OFF" }).stdout.trim();
    expect(custom).toMatch(/_cmake-[0-9a-f]{8}$/);
    expect(custom.replace(/_cmake-[0-9a-f]{8}$/, "")).toBe(plain);
  });

  it("refuses an unknown backend", () => {
    const out = engineBuild(["--gpu", "rocm", "--print-key"]);
    expect(out.status).toBe(1);
    expect(out.stderr).toContain("--gpu must be one of cuda, vulkan, metal, cpu");
  });
});
