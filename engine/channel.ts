import { FromEngineMessageSchema, type FromEngineMessage } from "../app/contract";

/**
 * The engine's end of its process boundary. Electron's utilityProcess exposes
 * `process.parentPort`; Node's child_process.fork exposes `process.send`.
 */
export interface ParentChannel {
  send(message: FromEngineMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

interface ElectronParentPort {
  postMessage(message: unknown): void;
  on(event: "message", listener: (event: { data: unknown }) => void): void;
}

export function connectToParent(): ParentChannel {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      send: (message) => parentPort.postMessage(FromEngineMessageSchema.parse(message)),
      onMessage: (listener) => parentPort.on("message", (event) => listener(event.data)),
    };
  }
  if (process.send) {
    const send = process.send.bind(process);
    // An orphaned engine would hold gigabytes of model memory: die with the backend.
    process.on("disconnect", () => process.exit(0));
    return {
      send: (message) => send(FromEngineMessageSchema.parse(message)),
      onMessage: (listener) => process.on("message", listener),
    };
  }
  throw new Error("The engine must be started as a child process (fork or utilityProcess).");
}
