import type { CallOutcome } from "../../../app/contract/wire";

export type ConnectionState = "connecting" | "open" | "closed";

/** How the contract client reaches the backend: Electron IPC or WebSocket. */
export interface Transport {
  readonly kind: "electron" | "websocket";
  call(method: string, params: unknown): Promise<CallOutcome>;
  onEvent(listener: (event: unknown) => void): () => void;
  onConnection(listener: (state: ConnectionState) => void): () => void;
}
