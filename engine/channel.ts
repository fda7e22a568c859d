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

/**
 * Validates, then posts. Both transports serialize recursively (JSON for fork, structured clone for
 * Electron) and throw at once on a value nested too deep. A reply still answers its call, as an
 * error: thrown from a reply's `.then` it would be an unhandled rejection, which kills the engine.
 * Anything else rethrows to its sender (a generation then ends with its error).
 */
export function checkedSender(post: (message: FromEngineMessage) => void): (message: FromEngineMessage) => void {
  return (message) => {
    const checked = FromEngineMessageSchema.parse(message);
    try {
      post(checked);
    } catch (error) {
      if (checked.type !== "reply") throw error;
      const reason = error instanceof Error ? error.message : String(error);
      post({ type: "reply", id: checked.id, outcome: { ok: false, error: { code: "internal", message: `The engine could not send its reply: ${reason}` } } });
    }
  };
}

export function connectToParent(): ParentChannel {
  const parentPort = (process as unknown as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) {
    return {
      send: checkedSender((message) => parentPort.postMessage(message)),
      onMessage: (listener) => parentPort.on("message", (event) => listener(event.data)),
    };
  }
  if (process.send) {
    const send = process.send.bind(process);
    // An orphaned engine would hold gigabytes of model memory: die with the backend.
    process.on("disconnect", () => process.exit(0));
    return {
      send: checkedSender((message) => send(message)),
      onMessage: (listener) => process.on("message", listener),
    };
  }
  throw new Error("The engine must be started as a child process (fork or utilityProcess).");
}
