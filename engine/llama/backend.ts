import { getLlama, LlamaLogLevel } from "node-llama-cpp";
import type { Llama, LlamaGpuType } from "node-llama-cpp";
import { AppError } from "../../app/contract/errors";
import { systemMemory } from "../../node/system/memory";

export { ENGINE_PROCESS_ENV } from "../../node/process-env";

export type BackendGpu = "auto" | "cuda" | "vulkan" | "metal" | "cpu" | false;

export type OpenBackendOptions = {
  /**
   * "auto" (default): the best GPU backend that has a device, else the CPU.
   * A named backend must load and see a device, or this throws AppError("internal", {reason: "backend_unavailable"}).
   */
  gpu?: BackendGpu;
  /** Cap on compute threads. Default: the CPU's math cores (node-llama-cpp would use at least 4 even on 2 cores). */
  maxThreads?: number;
  logLevel?: LlamaLogLevel;
  logger?: (level: LlamaLogLevel, message: string) => void;
};

export type BackendName = "cpu" | "cuda" | "vulkan" | "metal";

export type BackendInfo = {
  backend: BackendName;
  devices: string[];
  vram: { total: number; used: number; free: number };
  ram: { total: number; free: number };
  /** CPU cores useful for math (what the context uses by default). */
  cpuThreads: number;
};

export async function openBackend(options: OpenBackendOptions = {}): Promise<Llama> {
  const requested = options.gpu === "cpu" ? false : (options.gpu ?? "auto");
  // node-llama-cpp quietly treats "metal" off macOS as "auto"; a named backend must not degrade.
  if (requested === "metal" && process.platform !== "darwin") throw backendUnavailable(requested, "Metal needs macOS");

  let llama = await loadBinding(requested, options);
  if (requested !== "auto" && llama.gpu !== requested) {
    const got = llama.gpu;
    await llama.dispose();
    throw backendUnavailable(requested, `got ${got === false ? "cpu" : got} instead`);
  }
  // A GPU binding can load with no usable device (a Vulkan loader without a GPU, say).
  if (llama.gpu !== false && (await llama.getGpuDeviceNames()).length === 0) {
    await llama.dispose();
    if (requested !== "auto") throw backendUnavailable(requested, "no device found");
    llama = await loadBinding(false, options);
  }
  if (options.maxThreads == null && llama.gpu === false) llama.maxThreads = llama.cpuMathCores;
  return llama;
}

async function loadBinding(gpu: "auto" | LlamaGpuType, options: OpenBackendOptions): Promise<Llama> {
  try {
    return await getLlama({
      gpu,
      // Never compile llama.cpp inside the engine: prebuilt or local binaries only.
      build: "never",
      progressLogs: false,
      logLevel: options.logLevel ?? LlamaLogLevel.warn,
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.maxThreads != null ? { maxThreads: options.maxThreads } : {}),
    });
  } catch (error) {
    throw backendUnavailable(gpu, error instanceof Error ? error.message : String(error));
  }
}

/**
 * Dispose the backend, giving up after `timeoutMs`. node-llama-cpp 3.21.1 can wait forever in
 * Llama.dispose() after a model load was aborted or failed: the half-built LlamaModel keeps a
 * disposal-prevention handle that is only released if the model is still reachable (not yet
 * garbage-collected) when the Llama is disposed. Returns false if it timed out; the native
 * memory goes with the process.
 */
export async function closeBackend(llama: Llama, timeoutMs = 5_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
    timer.unref();
  });
  try {
    return await Promise.race([llama.dispose().then(() => true as const), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

export async function describeBackend(llama: Llama): Promise<BackendInfo> {
  const [devices, vram] = await Promise.all([llama.getGpuDeviceNames(), llama.getVramState()]);
  // Not llama.getRamState(): on Linux its free is MemFree, which counts the page cache (a model file just read) as used.
  const ram = systemMemory();
  return {
    backend: llama.gpu === false ? "cpu" : llama.gpu,
    devices,
    vram: { total: vram.total, used: vram.used, free: vram.free },
    ram: { total: ram.total, free: ram.available },
    cpuThreads: llama.cpuMathCores,
  };
}

/**
 * llama.cpp's own log lines for the host's log: warnings and errors only (openBackend's level already stops the
 * rest in native code), so nothing runs per token. Blank lines and the trailing newline llama.cpp adds are dropped.
 */
export function llamaLogForwarder(log: (level: "warn" | "error", message: string) => void): (level: LlamaLogLevel, message: string) => void {
  return (level, message) => {
    const text = message.trimEnd();
    if (text.trim() === "") return;
    if (level === LlamaLogLevel.fatal || level === LlamaLogLevel.error) log("error", `llama.cpp: ${text}`);
    else if (level === LlamaLogLevel.warn) log("warn", `llama.cpp: ${text}`);
  };
}

function backendUnavailable(gpu: BackendGpu, reason: string): AppError {
  const name = gpu === false ? "cpu" : gpu;
  return new AppError("internal", `Compute backend "${name}" is unavailable: ${reason}`, {
    reason: "backend_unavailable",
    gpu: name,
  });
}
