import { fork } from "node:child_process";
import { ENGINE_PROCESS_ENV } from "../../node/process-env";
import type { EngineChild, SpawnEngine } from "./engine-child";
import { forwardLines } from "./stderr-lines";

/** Starts the engine with Node's child_process.fork (the headless host and the CLI). */
export function forkSpawner(entry: string, env: NodeJS.ProcessEnv = process.env): SpawnEngine {
  return () => {
    const child = fork(entry, [], {
      env: { ...env, ...ENGINE_PROCESS_ENV },
      stdio: ["ignore", "inherit", "pipe", "ipc"],
      serialization: "advanced",
    });
    const engine: EngineChild = {
      get pid() {
        return child.pid;
      },
      send: (message) => {
        // A send racing the child's death is reported through onExit, not as a throw here.
        if (child.connected) child.send(message, (error) => error && undefined);
      },
      onMessage: (listener) => child.on("message", listener),
      onExit: (listener) => child.on("exit", (code, signal) => listener({ code, signal })),
      onStderr: (listener) => forwardLines(child.stderr, listener),
      kill: () => child.kill("SIGKILL"),
    };
    return engine;
  };
}
