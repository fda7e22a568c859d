import type { Llama } from "node-llama-cpp";

/** The private field of node-llama-cpp's MemoryOrchestrator this repair touches. */
type Orchestrator = { _reservedMemory?: unknown };

/**
 * Works around a leak in node-llama-cpp 3.21.1 (pinned): LlamaModel._create reserves the
 * model's estimated memory and then, if the load signal was aborted meanwhile (while it awaited
 * estimateModelResourceRequirementsV2), throws `loadSignal.reason` before the try/finally that
 * releases the reservation. The stuck bytes then count as used in every later "auto" decision
 * (gpu layers, context size) of this Llama, as if a whole model were still loaded.
 *
 * Take a snapshot before loading; after an aborted load, `restore()` puts back what grew.
 * Loads on one Llama are serialized by node-llama-cpp, and the engine loads one model at a
 * time, so nothing else can have reserved memory in between.
 */
export function snapshotReservations(llama: Llama): { restore(): void } {
  const internals = llama as unknown as { _ramOrchestrator?: Orchestrator; _vramOrchestrator?: Orchestrator };
  const orchestrators = [internals._ramOrchestrator, internals._vramOrchestrator];
  const before = orchestrators.map((orchestrator) => orchestrator?._reservedMemory);
  return {
    restore() {
      orchestrators.forEach((orchestrator, index) => {
        const was = before[index];
        if (orchestrator === undefined || typeof was !== "number") return;
        const now = orchestrator._reservedMemory;
        if (typeof now === "number" && now > was) orchestrator._reservedMemory = was;
      });
    },
  };
}
