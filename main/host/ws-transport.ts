import type { WebSocket } from "ws";
import { AppError, WireRequestSchema, type WireServerMessage } from "../../app/contract";
import type { Dispatch } from "../router/router";
import type { EventHub } from "../router/event-hub";

const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** The contract over one authenticated WebSocket: requests in, responses and events out. */
export function serveContractOverWebSocket(socket: WebSocket, dispatch: Dispatch, events: EventHub): void {
  const send = (message: WireServerMessage) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const fail = (id: string | number | null, error: AppError) =>
    send({ type: "response", id, outcome: { ok: false, error: error.toData() } });

  const unsubscribe = events.subscribe((event) => send({ type: "event", event }));
  socket.on("close", unsubscribe);
  socket.on("error", unsubscribe);

  socket.on("message", (data, isBinary) => {
    const text = isBinary ? null : data.toString();
    if (text === null || text.length > MAX_MESSAGE_BYTES) {
      fail(null, new AppError("bad_request", "Messages must be JSON text under 64 MiB."));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      fail(null, new AppError("bad_request", "Malformed JSON."));
      return;
    }
    const request = WireRequestSchema.safeParse(json);
    if (!request.success) {
      const id = (json as { id?: unknown } | null)?.id;
      const safeId = typeof id === "number" || (typeof id === "string" && id.length <= 64) ? id : null;
      fail(safeId, new AppError("bad_request", "Expected {id, method, params}.", { issues: request.error.issues }));
      return;
    }
    const { id, method, params } = request.data;
    void dispatch(method, params, { transport: "websocket" }).then((outcome) => send({ type: "response", id, outcome }));
  });
}
