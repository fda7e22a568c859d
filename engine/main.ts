import { AppError, ToEngineMessageSchema, type EngineRequest, type EngineResult, type EngineOp } from "../app/contract";
import { connectToParent } from "./channel";

/** Entry point of the engine child process. */

const startedAt = Date.now();
const parent = connectToParent();

type Handler<O extends EngineOp> = (request: Extract<EngineRequest, { op: O }>) => Promise<EngineResult<O>>;
const handlers: { [O in EngineOp]: Handler<O> } = {
  echo: async ({ text }) => ({ text, pid: process.pid }),
  ping: async () => ({ pid: process.pid, uptimeMs: Date.now() - startedAt }),
};

async function dispatch(request: EngineRequest): Promise<unknown> {
  const handler = handlers[request.op] as Handler<EngineOp>;
  return handler(request as never);
}

parent.onMessage((raw) => {
  const parsed = ToEngineMessageSchema.safeParse(raw);
  if (!parsed.success) {
    parent.send({ type: "log", level: "error", message: `Engine ignored a malformed message: ${parsed.error.message}` });
    return;
  }
  const { id, request } = parsed.data;
  dispatch(request).then(
    (result) => parent.send({ type: "reply", id, outcome: { ok: true, result } }),
    (error: unknown) => parent.send({ type: "reply", id, outcome: { ok: false, error: AppError.from(error).toData() } }),
  );
});

parent.send({ type: "ready", pid: process.pid });
