// npm run engine:build -- --gpu cuda|vulkan|metal|cpu [--portable] [--force] [--no-verify] [--print-key]
//
// Builds node-llama-cpp's addon from its bundled llama.cpp source with patches/ applied (the
// prebuilt binaries lack the tensor buffer overrides patch), and caches the result outside the
// repo, keyed by node-llama-cpp version, llama.cpp release, patch hash, platform and backend, so
// CI and later runs restore it instead of compiling again.
//
// Cache: $M2_ENGINE_CACHE_DIR, else $XDG_CACHE_HOME/m2-desktop/engine-builds, else
// ~/.cache/m2-desktop/engine-builds. Each entry: <key>/localBuilds/<folder> + <key>/meta.json.
// Only what node-llama-cpp loads is kept (<folder>/Release/ and buildDone.status), and the CMake
// intermediates are dropped from node_modules too, so packaging picks up the binaries alone.
// Restoring copies <folder> into node_modules/node-llama-cpp/llama/localBuilds/, where
// getLlama() prefers it over the prebuilt binary of the same backend.
//
// Default builds use -march=native (fast to build, right for this machine and its tests); the key
// then carries a CPU fingerprint so a shared cache never hands them to another CPU. Binaries to
// ship must use --portable: node-llama-cpp's CI mode (every x86/ARM CPU variant, loaded at run time).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const root = path.resolve(import.meta.dirname, "..");
const nlcDir = path.join(root, "node_modules", "node-llama-cpp");
const localBuildsDir = path.join(nlcDir, "llama", "localBuilds");
const lastBuildJson = path.join(nlcDir, "llama", "lastBuild.json");
const GPUS = ["cuda", "vulkan", "metal", "cpu"];
// Present in the addon source only once patches/node-llama-cpp+*.patch is applied.
const PATCH_MARKER = "getTensorBufferOverridesSupport";
// What getLlama() needs of a local build (see getLocalBuildBinaryPath in node-llama-cpp).
const LOADED_PARTS = ["Release", "buildDone.status"];

const { values: args } = parseArgs({
  options: {
    gpu: { type: "string" },
    portable: { type: "boolean", default: false },
    force: { type: "boolean", default: false },
    "no-verify": { type: "boolean", default: false },
    "print-key": { type: "boolean", default: false },
  },
});

function fail(message) {
  console.error(`engine:build: ${message}`);
  process.exit(1);
}

function log(message) {
  console.log(`engine:build: ${message}`);
}

function run(cmd, cmdArgs) {
  log(`$ ${cmd} ${cmdArgs.join(" ")}`);
  // npx is npx.cmd on Windows, which only a shell resolves
  const result = spawnSync(cmd, cmdArgs, { cwd: root, stdio: "inherit", env: process.env, shell: process.platform === "win32" });
  if (result.status !== 0) fail(`${cmd} ${cmdArgs.join(" ")} exited with ${result.status ?? result.signal}`);
}

const gpu = args.gpu;
if (gpu == null || !GPUS.includes(gpu)) fail(`--gpu must be one of ${GPUS.join(", ")}`);
if (gpu === "metal" && process.platform !== "darwin") fail("Metal builds need macOS");
if (!fs.existsSync(path.join(nlcDir, "package.json"))) fail("node_modules/node-llama-cpp is missing: run npm install (or npm ci) first");

const readJson = (file) => JSON.parse(fs.readFileSync(file, "utf8"));
const nlcVersion = readJson(path.join(nlcDir, "package.json")).version;
const llamaCppRelease = readJson(path.join(nlcDir, "llama", "binariesGithubRelease.json")).release;

function sha256(text) {
  return createHash("sha256").update(text).digest("hex");
}

// Only the native hunks of node-llama-cpp's patches change the binary: JS-only or other packages'
// patch edits must not bust the cache.
function patchHash() {
  const dir = path.join(root, "patches");
  const files = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.startsWith("node-llama-cpp+")).sort() : [];
  if (files.length === 0) fail("patches/node-llama-cpp+*.patch is missing");
  const nativeHunks = files.flatMap((f) =>
    // CRLF checkouts must hash the same as LF ones
    fs.readFileSync(path.join(dir, f), "utf8").replaceAll("\r\n", "\n")
      .split(/^(?=diff --git )/m)
      .filter((section) => section.startsWith("diff --git a/node_modules/node-llama-cpp/llama/")));
  if (nativeHunks.length === 0) fail("patches/node-llama-cpp+*.patch changes no native source");
  return sha256(nativeHunks.join(""));
}

// node-llama-cpp folds NODE_LLAMA_CPP_CMAKE_OPTION_* into the build, so they are part of the key.
function cmakeOptionsHash() {
  const entries = Object.entries(process.env)
    .filter(([k]) => k.startsWith("NODE_LLAMA_CPP_CMAKE_OPTION_"))
    .sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? null : sha256(JSON.stringify(entries)).slice(0, 8);
}

// A native build runs only on CPUs with the builder's instruction set extensions.
function cpuFingerprint() {
  let flags = "";
  try {
    flags = /^flags\s*:(.*)$/m.exec(fs.readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? "";
  } catch {
    // not Linux: the CPU model name is the best cheap proxy
  }
  return sha256(`${os.cpus()[0]?.model ?? "unknown"}\n${flags}`).slice(0, 8);
}

const cmakeHash = cmakeOptionsHash();
const key = [
  `node-llama-cpp-${nlcVersion}`,
  `llama.cpp-${llamaCppRelease}`,
  `${process.platform}-${process.arch}`,
  gpu,
  args.portable ? "portable" : `native-${cpuFingerprint()}`,
  `patch-${patchHash().slice(0, 12)}`,
  ...(cmakeHash ? [`cmake-${cmakeHash}`] : []),
].join("_");

const cacheRoot = process.env.M2_ENGINE_CACHE_DIR ||
  path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "m2-desktop", "engine-builds");
const cacheEntry = path.join(cacheRoot, key);

if (args["print-key"]) {
  console.log(cacheEntry);
  process.exit(0);
}

function ensurePatched() {
  const addonSource = fs.readFileSync(path.join(nlcDir, "llama", "addon", "AddonModel.cpp"), "utf8");
  if (addonSource.includes(PATCH_MARKER)) return;
  log("node-llama-cpp is not patched yet; applying patches/");
  run("npx", ["--no", "patch-package"]);
  if (!fs.readFileSync(path.join(nlcDir, "llama", "addon", "AddonModel.cpp"), "utf8").includes(PATCH_MARKER)) {
    fail("patch-package ran but the addon source still lacks the tensor buffer overrides patch");
  }
}

function readMeta(entry) {
  try {
    const meta = readJson(path.join(entry, "meta.json"));
    return meta.key === key && fs.existsSync(path.join(entry, "localBuilds", meta.folderName)) ? meta : null;
  } catch {
    return null;
  }
}

function copyDir(from, to) {
  fs.rmSync(to, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(to), { recursive: true });
  // verbatimSymlinks: the build has relative .so symlinks that must stay relative.
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true });
}

function restore(meta) {
  copyDir(path.join(cacheEntry, "localBuilds", meta.folderName), path.join(localBuildsDir, meta.folderName));
  fs.writeFileSync(lastBuildJson, JSON.stringify({ folderName: meta.folderName }, null, 4));
  log(`restored ${meta.folderName} from ${cacheEntry} (built in ${meta.buildSeconds}s on ${meta.builtAt})`);
}

function isSourceCloned() {
  try {
    const info = readJson(path.join(nlcDir, "llama", "llama.cpp.info.json"));
    return info.tag === llamaCppRelease && fs.existsSync(path.join(nlcDir, "llama", "llama.cpp", ".git"));
  } catch {
    return false;
  }
}

// llama.cpp's Vulkan backend uses VK_EXT_layer_settings (Vulkan headers >= 1.3.261); older headers
// (Debian 12 ships 1.3.239) fail only after the long shader generation step, so check first.
function checkVulkanHeaders() {
  const sdk = process.env.VULKAN_SDK;
  const header = sdk ? path.join(sdk, "include", "vulkan", "vulkan_core.h") : "/usr/include/vulkan/vulkan_core.h";
  if (!fs.existsSync(header)) {
    if (sdk) fail(`VULKAN_SDK=${sdk} has no include/vulkan/vulkan_core.h`);
    return; // another platform or layout: let CMake find it
  }
  const source = fs.readFileSync(header, "utf8");
  if (source.includes("VK_EXT_layer_settings")) return;
  const version = /#define VK_HEADER_VERSION (\d+)/.exec(source)?.[1] ?? "?";
  fail(`${header} (VK_HEADER_VERSION ${version}) is too old for llama.cpp's Vulkan backend (needs VK_EXT_layer_settings). ` +
    "Install the LunarG Vulkan SDK, or newer headers (e.g. Debian trixie's libvulkan-dev and spirv-headers unpacked into a folder), " +
    "and point VULKAN_SDK at a folder with include/ (vulkan, spirv), lib/libvulkan.so, bin/glslc and share/cmake/SPIRV-Headers.");
}

function build() {
  if (gpu === "vulkan") checkVulkanHeaders();
  const started = Date.now();
  // Clones the llama.cpp source from the git bundle shipped inside node-llama-cpp (no network).
  if (!isSourceCloned()) run("npx", ["--no", "node-llama-cpp", "source", "download", "--skipBuild", "--noUsageExample"]);
  const buildArgs = ["--no", "node-llama-cpp", "source", "build", "--gpu", gpu === "cpu" ? "false" : gpu, "--noUsageExample"];
  // --ciMode is honoured only when CI is set: it turns -march=native off and builds all CPU variants.
  if (args.portable) {
    process.env.CI = "true";
    buildArgs.push("--ciMode");
  }
  run("npx", buildArgs);
  const buildSeconds = Math.round((Date.now() - started) / 1000);

  const { folderName } = readJson(lastBuildJson);
  const builtDir = path.join(localBuildsDir, folderName);
  if (!fs.existsSync(builtDir)) fail(`node-llama-cpp reported ${folderName} but ${builtDir} does not exist`);

  // Write to a temporary entry and rename, so a killed run never leaves a half-copied cache entry.
  const tmp = `${cacheEntry}.tmp-${process.pid}`;
  for (const part of LOADED_PARTS) {
    if (!fs.existsSync(path.join(builtDir, part))) fail(`the build has no ${part} in ${builtDir}`);
    copyDir(path.join(builtDir, part), path.join(tmp, "localBuilds", folderName, part));
  }
  const meta = {
    key, folderName, gpu, portable: args.portable, nodeLlamaCppVersion: nlcVersion, llamaCppRelease,
    platform: process.platform, arch: process.arch, buildSeconds, builtAt: new Date().toISOString(),
  };
  fs.writeFileSync(path.join(tmp, "meta.json"), JSON.stringify(meta, null, 2));
  fs.rmSync(cacheEntry, { recursive: true, force: true });
  fs.renameSync(tmp, cacheEntry);
  log(`built ${folderName} in ${buildSeconds}s; cached at ${cacheEntry}`);
  // node-llama-cpp wipes the folder before every compile, so the intermediates buy no incremental build
  restore(meta);
}

// Loads the binary the app would get for this backend and checks it carries the patch.
function verify() {
  const script = `
    import { getLlama, LlamaLogLevel, LlamaModel } from "node-llama-cpp";
    const llama = await getLlama({ gpu: ${JSON.stringify(gpu === "cpu" ? false : gpu)}, build: "never", progressLogs: false, logLevel: LlamaLogLevel.error });
    const supported = llama._bindings?.getTensorBufferOverridesSupport?.() === true &&
      Function.prototype.toString.call(LlamaModel).includes("tensorBufferOverrides");
    console.log(JSON.stringify({ gpu: llama.gpu, buildType: llama.buildType, supported }));
    const ok = supported && llama.buildType === "localBuild" && llama.gpu === ${JSON.stringify(gpu === "cpu" ? false : gpu)};
    await llama.dispose();
    process.exit(ok ? 0 : 3);
  `;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { cwd: root, encoding: "utf8" });
  const out = `${result.stdout}${result.stderr}`.trim();
  if (result.status !== 0) {
    fail(`the ${gpu} build does not load with tensor buffer overrides (${out || `exit ${result.status}`}); ` +
      "pass --no-verify when building on a machine without this backend's device " +
      "(a CPU-type Vulkan device such as llvmpipe needs GGML_VK_VISIBLE_DEVICES=0)");
  }
  log(`verified: ${out}`);
}

// The JS half of the patch is needed with a restored binary too (an --ignore-scripts install skips it).
ensurePatched();
const cached = args.force ? null : readMeta(cacheEntry);
if (cached) restore(cached);
else build();
if (!args["no-verify"]) verify();
