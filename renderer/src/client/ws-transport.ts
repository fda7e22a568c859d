import { AppError, WireServerFrameSchema, type CallOutcome } from "../../../app/contract";
import type { ConnectionState, Transport } from "./transport";

interface Pending {
  resolve: (outcome: CallOutcome) => void;
}

/** The contract over the headless host's WebSocket, reconnecting with backoff. */
export function wsTransport(url: string): Transport {
  const pending = new Map<number, Pending>();
  const eventListeners = new Set<(event: unknown) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let socket: WebSocket | undefined;
  let nextId = 1;
  let retryMs = 250;
  const queue: string[] = [];

  const setState = (state: ConnectionState) => connectionListeners.forEach((l) => l(state));

  const failAll = (message: string) => {
    const error = new AppError("backend_unreachable", message).toData();
    for (const [id, p] of pending) {
      p.resolve({ ok: false, error });
      pending.delete(id);
    }
  };

  /** Logged; a response whose id can still be read fails its call instead of leaving it waiting forever. */
  const unreadableFrame = (json: unknown, issues: unknown[]) => {
    console.warn("The backend sent a frame that fails the contract; it was dropped.", issues);
    const id = typeof json === "object" && json !== null && "id" in json ? json.id : undefined;
    if (typeof id !== "number") return;
    pending.get(id)?.resolve({ ok: false, error: new AppError("internal", "The backend sent a response this window could not read.", { issues }).toData() });
    pending.delete(id);
  };

  const connect = () => {
    setState("connecting");
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setState("open");
      for (const frame of queue.splice(0)) ws.send(frame);
    };
    ws.onmessage = (message) => {
      let json: unknown;
      try {
        json = JSON.parse(String(message.data));
      } catch {
        console.warn("The backend sent a frame that is not JSON; it was dropped.");
        return;
      }
      const parsed = WireServerFrameSchema.safeParse(json);
      if (!parsed.success) {
        unreadableFrame(json, parsed.error.issues);
        return;
      }
      const data = parsed.data;
      if (data.type === "event") {
        eventListeners.forEach((l) => l(data.event));
      } else if (typeof data.id === "number") {
        pending.get(data.id)?.resolve(data.outcome);
        pending.delete(data.id);
      }
    };
    ws.onclose = () => {
      setState("closed");
      failAll("The connection to the backend was lost.");
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5_000);
    };
  };
  connect();

  return {
    kind: "websocket",
    call(method, params) {
      const id = nextId++;
      const frame = JSON.stringify({ id, method, params });
      return new Promise<CallOutcome>((resolve) => {
        pending.set(id, { resolve });
        if (socket?.readyState === WebSocket.OPEN) socket.send(frame);
        else queue.push(frame);
      });
    },
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
  };
}

/** The page URL carries the launch token; the socket presents it again. */
export function hostWebSocketUrl(location: Location): string {
  const token = new URLSearchParams(location.search).get("token") ?? "";
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}
