import type { CallOutcome } from "../../../app/contract/wire";
import type { Transport } from "./transport";

/** Shape of `window.m2d`, put there by the Electron preload. */
interface RendererBridge {
  call(method: string, params: unknown): Promise<CallOutcome>;
  onEvent(listener: (event: unknown) => void): () => void;
}

export function electronBridge(): RendererBridge | undefined {
  return (globalThis as { m2d?: RendererBridge }).m2d;
}

export function ipcTransport(bridge: RendererBridge): Transport {
  return {
    kind: "electron",
    call: (method, params) => bridge.call(method, params),
    onEvent: (listener) => bridge.onEvent(listener),
    onConnection: (listener) => {
      listener("open"); // IPC lives as long as the window
      return () => undefined;
    },
  };
}
