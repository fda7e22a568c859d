import type { ToEngineMessage } from "../../app/contract";

/** A running engine process, whatever started it (child_process.fork or Electron's utilityProcess). */
export interface EngineChild {
  readonly pid: number | undefined;
  send(message: ToEngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (exit: { code: number | null; signal: string | null }) => void): void;
  /** Each line the engine writes to stderr (llama.cpp's asserts, V8's fatal errors), where the spawner can read it. */
  onStderr?(listener: (line: string) => void): void;
  kill(): void;
}

export type SpawnEngine = () => EngineChild;
