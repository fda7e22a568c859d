import {
  AppError,
  EngineResultSchemas,
  FromEngineMessageSchema,
  type EngineEvent,
  type EngineOp,
  type EngineRequest,
  type EngineResult,
  type EngineStatus,
} from "../../app/contract";
import { ENGINE_HEARTBEAT_INTERVAL_MS, type EngineLostReason } from "../../app/contract/engine-faults";
import type { EngineChild, SpawnEngine } from "./engine-child";
import { redactSecrets } from "../log/redact";

/** Silence from a busy engine longer than this means its main thread is stuck (well above any legitimate pause). */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 15_000;
/** The engine's last stderr lines an engine_crashed error carries (`details.stderr`): llama.cpp's assert says why. */
const STDERR_TAIL_LINES = 20;

interface Pending {
  op: EngineOp;
  resolve: (result: unknown) => void;
  reject: (error: AppError) => void;
  timer: NodeJS.Timeout | undefined;
}

export interface SupervisorOptions {
  spawn: SpawnEngine;
  onStatus?: (status: EngineStatus) => void;
  onLog?: (level: string, message: string) => void;
  /** Streamed engine events: load progress, generation deltas. */
  onEvent?: (event: EngineEvent) => void;
  /** Delay before restarting a crashed engine; doubles on repeated crashes. */
  restartDelayMs?: number;
  maxRestartDelayMs?: number;
  /** A busy engine silent for this long (no heartbeat, no message) is killed and restarted. */
  heartbeatTimeoutMs?: number;
}

/**
 * Keeps one engine process alive: starts it, routes requests to it, and restarts
 * it when it dies. A crash fails only the requests in flight, with a typed error.
 * A watchdog kills an engine that stops sending heartbeats while requests are in
 * flight (a chat template that spins, a blocking call), so nothing waits on it forever.
 */
export class EngineSupervisor {
  private child: EngineChild | undefined;
  private stderrTail: string[] = [];
  private status: EngineStatus = { state: "stopped", pid: null, restarts: 0, lastExit: null };
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: AppError) => void }> = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private crashStreak = 0;
  private stopped = false;
  /**
   * When the current engine last sent anything (every message proves its main thread runs), and when
   * the watchdog last looked. Monotonic (performance.now): a wall clock jumps on suspend or a clock
   * change, and would read as silence from an engine that never missed a beat.
   */
  private lastHeardAt = 0;
  private lastCheckAt = 0;
  private watchdog: NodeJS.Timeout | undefined;
  /** The engine the watchdog killed, and what it was silent under. */
  private killedUnresponsive: { child: EngineChild; silentMs: number; ops: EngineOp[] } | undefined;

  constructor(private readonly options: SupervisorOptions) {}

  getStatus(): EngineStatus {
    return { ...this.status };
  }

  start(): void {
    this.stopped = false;
    this.launch();
  }

  async request<O extends EngineOp>(
    request: Extract<EngineRequest, { op: O }>,
    { timeoutMs }: { timeoutMs?: number } = {},
  ): Promise<EngineResult<O>> {
    await this.whenReady();
    const child = this.child;
    if (!child) throw new AppError("engine_unavailable", "The engine is not running.");
    const id = this.nextId++;
    const raw = await new Promise<unknown>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            this.pending.delete(id);
            reject(new AppError("engine_unavailable", `The engine did not answer "${request.op}" within ${timeoutMs} ms.`));
          }, timeoutMs)
        : undefined;
      this.pending.set(id, { op: request.op, resolve, reject, timer });
      child.send({ type: "request", id, request });
    });
    const parsed = EngineResultSchemas[request.op].safeParse(raw);
    if (!parsed.success) {
      throw new AppError("internal", `The engine sent a malformed "${request.op}" result.`, { issues: parsed.error.issues });
    }
    return parsed.data as EngineResult<O>;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.restartTimer);
    clearInterval(this.watchdog);
    const child = this.child;
    this.child = undefined;
    const stoppedError = new AppError("engine_unavailable", "The engine was stopped.");
    this.failPending(stoppedError);
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(stoppedError);
    this.setStatus({ ...this.status, state: "stopped", pid: null });
    child?.kill();
  }

  private whenReady(): Promise<void> {
    if (this.status.state === "ready") return Promise.resolve();
    if (this.stopped) return Promise.reject(new AppError("engine_unavailable", "The engine is stopped."));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private launch(): void {
    let child: EngineChild;
    try {
      child = this.options.spawn();
    } catch (error) {
      this.options.onLog?.("error", `Could not start the engine: ${AppError.from(error).message}`);
      this.scheduleRestart();
      return;
    }
    this.child = child;
    this.stderrTail = [];
    this.lastHeardAt = performance.now();
    this.setStatus({ ...this.status, state: "starting", pid: child.pid ?? null });
    child.onMessage((raw) => this.onMessage(child, raw));
    child.onExit((exit) => this.onExit(child, exit));
    // Crash output never comes over IPC (an abort kills the process first): keep what it printed. Lines from a
    // child already replaced still count: its last words explain why it died.
    child.onStderr?.((line) => {
      this.options.onLog?.("warn", `stderr: ${line}`);
      if (child === this.child) this.stderrTail = [...this.stderrTail, redactSecrets(line)].slice(-STDERR_TAIL_LINES);
    });
    this.startWatchdog();
  }

  private startWatchdog(): void {
    clearInterval(this.watchdog);
    const timeoutMs = this.options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
    this.lastCheckAt = performance.now();
    this.watchdog = setInterval(() => this.checkHeartbeat(timeoutMs), Math.min(ENGINE_HEARTBEAT_INTERVAL_MS, timeoutMs / 4));
    this.watchdog.unref();
  }

  /** Only a busy engine is judged: an idle one has nobody waiting on it. */
  private checkHeartbeat(timeoutMs: number): void {
    const now = performance.now();
    // A check this late means the backend's own loop stalled, with heartbeats maybe unread in the
    // pipe (timers run before I/O): judge the engine from now, not from the backend's stall.
    if (now - this.lastCheckAt > timeoutMs) this.lastHeardAt = now;
    this.lastCheckAt = now;
    const child = this.child;
    if (!child || this.status.state !== "ready" || this.pending.size === 0 || this.killedUnresponsive?.child === child) return;
    const silentMs = Math.round(now - this.lastHeardAt);
    if (silentMs <= timeoutMs) return;
    const ops = [...new Set([...this.pending.values()].map((p) => p.op))];
    this.killedUnresponsive = { child, silentMs, ops };
    this.options.onLog?.("error", `The engine sent no heartbeat for ${silentMs} ms while handling ${ops.join(", ")}: killing it.`);
    child.kill();
  }

  private onMessage(child: EngineChild, raw: unknown): void {
    if (child !== this.child) return;
    this.lastHeardAt = performance.now();
    const parsed = FromEngineMessageSchema.safeParse(raw);
    if (!parsed.success) {
      this.options.onLog?.("warn", "Dropped a malformed message from the engine.");
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case "ready":
        this.setStatus({ ...this.status, state: "ready", pid: message.pid });
        for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        return;
      case "log":
        this.options.onLog?.(message.level, message.message);
        return;
      case "heartbeat":
        return;
      case "event":
        this.options.onEvent?.(message.event);
        return;
      case "generation_events":
        for (const event of message.events) this.options.onEvent?.({ kind: "generation", generationId: message.generationId, event });
        return;
      case "reply": {
        const pending = this.pending.get(message.id);
        if (!pending) return;
        this.pending.delete(message.id);
        clearTimeout(pending.timer);
        if (message.outcome.ok) pending.resolve(message.outcome.result);
        else pending.reject(AppError.fromData(message.outcome.error));
        return;
      }
    }
  }

  private onExit(child: EngineChild, exit: { code: number | null; signal: string | null }): void {
    if (child !== this.child) return;
    this.child = undefined;
    const killed = this.killedUnresponsive?.child === child ? this.killedUnresponsive : undefined;
    this.killedUnresponsive = undefined;
    const reason: EngineLostReason = killed ? "engine_unresponsive" : "engine_exited";
    const lastExit = { ...exit, at: Date.now(), reason };
    this.failPending(
      killed
        ? new AppError(
            "engine_crashed",
            `The engine stopped responding (no heartbeat for ${Math.round(killed.silentMs / 1000)} s while handling ${killed.ops.join(", ")}); it was restarted.`,
            { ...exit, reason, silentMs: killed.silentMs, ops: killed.ops },
          )
        : new AppError("engine_crashed", `The engine process exited (${exit.signal ?? `code ${exit.code}`}) while handling the request.`, { ...exit, reason, stderr: this.stderrTail }),
    );
    if (this.stopped) return;
    this.setStatus({ ...this.status, state: "crashed", pid: null, lastExit });
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const base = this.options.restartDelayMs ?? 100;
    const delay = Math.min(base * 2 ** this.crashStreak, this.options.maxRestartDelayMs ?? 5_000);
    this.crashStreak++;
    this.restartTimer = setTimeout(() => {
      if (this.stopped) return;
      this.status = { ...this.status, restarts: this.status.restarts + 1 };
      this.launch();
    }, delay);
    // A stable engine earns back the short restart delay.
    setTimeout(() => {
      if (this.status.state === "ready") this.crashStreak = 0;
    }, 30_000).unref();
  }

  private failPending(error: AppError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }

  private setStatus(status: EngineStatus): void {
    this.status = status;
    this.options.onStatus?.(this.getStatus());
  }
}
