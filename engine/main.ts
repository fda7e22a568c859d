import { AppError, ToEngineMessageSchema, type EngineOp, type EngineRequest, type EngineResult } from "../app/contract";
import { ENGINE_HEARTBEAT_INTERVAL_MS } from "../app/contract/engine-faults";
import { connectToParent } from "./channel";
import { EngineService } from "./runtime/engine-service";
import { GenerationEventBatcher } from "./runtime/generation-event-batcher";

/** Entry point of the engine child process: validates each request and routes it to the service. */

const startedAt = Date.now();
const parent = connectToParent();
const service = new EngineService((level, message) => parent.send({ type: "log", level, message }));

type Handler<O extends EngineOp> = (request: Extract<EngineRequest, { op: O }>) => Promise<EngineResult<O>>;
const handlers: { [O in EngineOp]: Handler<O> } = {
  echo: async ({ text }) => ({ text, pid: process.pid }),
  ping: async () => ({ pid: process.pid, uptimeMs: Date.now() - startedAt }),
  inspect: ({ path }) => service.inspect(path),
  load: ({ loadId, path, options }) =>
    service.load(loadId, path, options, (progress) =>
      parent.send({ type: "event", event: { kind: "load_progress", loadId, progress } }),
    ),
  plan: ({ params }) => service.plan(params),
  cancelLoad: async ({ loadId }) => (service.cancelLoad(loadId), {}),
  unload: async () => (await service.unload(), {}),
  status: () => service.status(),
  backend: ({ gpu }) => service.backendInfo(gpu),
  generate: async ({ generationId, request }) => {
    const events = new GenerationEventBatcher((batch) => parent.send({ type: "generation_events", generationId, events: batch }));
    try {
      return await service.generate(generationId, request, (event) => events.push(event));
    } finally {
      events.flush(); // before the reply: every event precedes it
    }
  },
  abort: async ({ generationId }) => (service.abort(generationId), {}),
  renderPrompt: async ({ request }) => service.renderPrompt(request),
  score: ({ scoreId, request }) => service.score(scoreId, request),
};

parent.onMessage((raw) => {
  const parsed = ToEngineMessageSchema.safeParse(raw);
  if (!parsed.success) {
    parent.send({ type: "log", level: "error", message: `Engine ignored a malformed message: ${parsed.error.message}` });
    return;
  }
  const { id, request } = parsed.data;
  const handler = handlers[request.op] as Handler<EngineOp>;
  handler(request as never).then(
    (result) => parent.send({ type: "reply", id, outcome: { ok: true, result } }),
    (error: unknown) => parent.send({ type: "reply", id, outcome: { ok: false, error: AppError.from(error).toData() } }),
  );
});

parent.send({ type: "ready", pid: process.pid });
// Proof of a live main thread for the supervisor's watchdog; a render or call that blocks it stops these.
setInterval(() => parent.send({ type: "heartbeat" }), ENGINE_HEARTBEAT_INTERVAL_MS).unref();
