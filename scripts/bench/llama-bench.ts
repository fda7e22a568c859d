// Builds llama.cpp's llama-bench once from the source bundled in node-llama-cpp, cached outside the repo.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export function ensureLlamaBench(root: string): string {
  const bundle = join(root, "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle");
  const release = JSON.parse(readFileSync(join(root, "node_modules", "node-llama-cpp", "llama", "binariesGithubRelease.json"), "utf8")).release;
  const cacheDir = join(process.env.M2D_CACHE_DIR ?? join(homedir(), ".cache", "m2-desktop"), `llama-bench-${release}`);
  const binary = join(cacheDir, "build", "bin", "llama-bench");
  if (existsSync(binary)) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const src = join(cacheDir, "src");
  const run = (cmd: string, args: string[], cwd: string) => {
    console.error(`$ ${cmd} ${args.join(" ")}`);
    const result = spawnSync(cmd, args, { cwd, stdio: ["ignore", "inherit", "inherit"] });
    if (result.status !== 0) throw new Error(`${cmd} failed (${result.status})`);
  };
  if (!existsSync(join(src, "CMakeLists.txt"))) run("git", ["clone", "--quiet", bundle, src], cacheDir);
  // Native CPU build: the strongest reference for the prebuilt engine's best CPU variant.
  run("cmake", ["-S", src, "-B", join(cacheDir, "build"), "-DCMAKE_BUILD_TYPE=Release", "-DGGML_NATIVE=ON", "-DLLAMA_CURL=OFF", "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_SERVER=OFF"], cacheDir);
  run("cmake", ["--build", join(cacheDir, "build"), "--target", "llama-bench", "-j", "2"], cacheDir);
  return binary;
}
