import { utilityProcess } from "electron";
import type { EngineChild, SpawnEngine } from "../engine/engine-child";
import { ENGINE_PROCESS_ENV } from "../../node/process-env";
import { forwardLines } from "../engine/stderr-lines";

/** Starts the engine as an Electron utility process (a Node child without Electron's UI APIs). */
export function utilitySpawner(entry: string): SpawnEngine {
  return () => {
    const child = utilityProcess.fork(entry, [], {
      env: { ...process.env, ...ENGINE_PROCESS_ENV },
      serviceName: "M2 Desktop engine",
      // stderr is read into the app's log (llama.cpp's asserts, V8's fatal errors); stdout stays the terminal's.
      stdio: ["ignore", "inherit", "pipe"],
    });
    const engine: EngineChild = {
      get pid() {
        return child.pid;
      },
      send: (message) => child.postMessage(message),
      onMessage: (listener) => child.on("message", listener),
      onExit: (listener) => child.on("exit", (code) => listener({ code, signal: null })),
      onStderr: (listener) => forwardLines(child.stderr, listener),
      kill: () => void child.kill(),
    };
    return engine;
  };
}
