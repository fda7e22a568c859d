import type { ToEngineMessage } from "../../app/contract";

/** A running engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: ToEngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChild;
