import { WebSocket } from "ws";
import { AppError, WireServerMessageSchema, type AppEvent, type DataFolderOwner } from "../../app/contract";
import { readAdvertisedToken } from "../storage/data-lock";

/** The contract over a running host's WebSocket, for an `m2d` command on a folder that host owns. */
export interface HostConnection {
  call(method: string, params: unknown): Promise<unknown>;
  onEvent(listener: (event: AppEvent) => void): () => void;
  /** Runs once the connection is gone (the host stopped or dropped it); at once if it already is. */
  onClose(listener: () => void): () => void;
  close(): void;
}

const CONNECT_TIMEOUT_MS = 5_000;

/** Connects to the host the lock advertises; null if it advertises none or cannot be reached. */
export async function connectToOwner(owner: DataFolderOwner): Promise<HostConnection | null> {
  const token = readAdvertisedToken(owner);
  if (!owner.host || !token) return null;
  const url = new URL("ws", owner.host.url.replace(/^http/, "ws"));
  url.searchParams.set("token", token);
  const socket = new WebSocket(url);
  const opened = await new Promise<boolean>((resolve) => {
    // A host that does not answer (stopped, wedged) is as good as none: the caller then names it and stops.
    const settle = (open: boolean) => {
      clearTimeout(timer);
      resolve(open);
    };
    const timer = setTimeout(() => settle(false), CONNECT_TIMEOUT_MS);
    socket.once("open", () => settle(true));
    socket.once("error", () => settle(false));
  });
  if (!opened) {
    socket.terminate();
    return null;
  }

  let nextId = 0;
  const pending = new Map<number, { resolve(result: unknown): void; reject(error: AppError): void }>();
  const listeners = new Set<(event: AppEvent) => void>();
  const closeListeners = new Set<() => void>();
  const lost = () => new AppError("backend_unreachable", "The running host closed the connection.");
  socket.on("message", (data) => {
    const parsed = WireServerMessageSchema.safeParse(parseJson(String(data)));
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.type === "event") return listeners.forEach((listener) => listener(message.event));
    const call = typeof message.id === "number" ? pending.get(message.id) : undefined;
    if (!call) return;
    pending.delete(message.id as number);
    if (message.outcome.ok) call.resolve(message.outcome.result);
    else call.reject(AppError.fromData(message.outcome.error));
  });
  socket.on("close", () => {
    for (const call of pending.values()) call.reject(lost());
    pending.clear();
    closeListeners.forEach((listener) => listener());
  });
  return {
    call: (method, params) =>
      new Promise((resolve, reject) => {
        // ws drops a send after close without a word: the call would wait forever.
        if (socket.readyState !== WebSocket.OPEN) return reject(lost());
        const id = nextId++;
        pending.set(id, { resolve, reject });
        socket.send(JSON.stringify({ id, method, params }));
      }),
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onClose(listener) {
      if (socket.readyState === WebSocket.CLOSED) listener();
      else closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
    close: () => socket.close(),
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
