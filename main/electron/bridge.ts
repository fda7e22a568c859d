import type { CallOutcome } from "../../app/contract/wire";

export const IPC_INVOKE_CHANNEL = "m2d:call";
export const IPC_EVENT_CHANNEL = "m2d:event";

/**
 * What the preload puts on `window.m2d`. The renderer declares the same shape
 * (renderer/src/client/ipc-transport.ts) without importing main/.
 */
export interface RendererBridge {
  call(method: string, params: unknown): Promise<CallOutcome>;
  onEvent(listener: (event: unknown) => void): () => void;
}
