import {
  AppError,
  AppEventSchema,
  methods,
  type AppEvent,
  type MethodName,
  type MethodParams,
  type MethodResult,
  type ValidationIssue,
} from "../../../app/contract";
import { electronBridge, ipcTransport } from "./ipc-transport";
import type { ConnectionState, Transport } from "./transport";
import { hostWebSocketUrl, wsTransport } from "./ws-transport";

/** An event the backend sent that failed the contract: reported, never silently dropped. */
export interface InvalidEventReport {
  /** The event's `type` when it has one that is a string, else "(no type)". */
  type: string;
  issues: readonly ValidationIssue[];
}

export interface ContractClientOptions {
  /** Told of each invalid event, after it is logged (the page shows a notice from here). */
  onInvalidEvent?: (report: InvalidEventReport) => void;
}

/** The renderer's only way to the backend. It neither knows nor cares which transport carries it. */
export class ContractClient {
  private readonly listeners = new Set<(event: AppEvent) => void>();
  private unsubscribe: (() => void) | undefined;
  private invalidEvents = 0;

  constructor(
    private readonly transport: Transport,
    private readonly options: ContractClientOptions = {},
  ) {}

  get transportKind(): Transport["kind"] {
    return this.transport.kind;
  }

  /** Events that failed validation since this client was made. */
  get invalidEventCount(): number {
    return this.invalidEvents;
  }

  async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const outcome = await this.transport.call(method, params);
    if (!outcome.ok) throw AppError.fromData(outcome.error);
    const result = methods[method].result.safeParse(outcome.result);
    if (!result.success) throw new AppError("internal", `The backend sent an invalid ${method} result.`, { issues: result.error.issues });
    return result.data as MethodResult<M>;
  }

  /** One subscription to the transport for all listeners, so each event is validated (and reported) once. */
  onEvent(listener: (event: AppEvent) => void): () => void {
    this.listeners.add(listener);
    this.unsubscribe ??= this.transport.onEvent((raw) => this.dispatch(raw));
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size > 0) return;
      this.unsubscribe?.();
      this.unsubscribe = undefined;
    };
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    return this.transport.onConnection(listener);
  }

  private dispatch(raw: unknown): void {
    const parsed = AppEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.invalidEvents++;
      const report: InvalidEventReport = { type: eventType(raw), issues: parsed.error.issues.map(({ path, message }) => ({ path: path.map((p) => (typeof p === "number" ? p : String(p))), message })) };
      console.warn(`The backend sent an event (${report.type}) that fails the contract; it was not delivered.`, report.issues);
      this.options.onInvalidEvent?.(report);
      return;
    }
    for (const listener of [...this.listeners]) listener(parsed.data);
  }
}

function eventType(raw: unknown): string {
  const type = typeof raw === "object" && raw !== null && "type" in raw ? raw.type : undefined;
  return typeof type === "string" ? type.slice(0, 80) : "(no type)";
}

export function connectToBackend(options: ContractClientOptions = {}): ContractClient {
  const bridge = electronBridge();
  return new ContractClient(bridge ? ipcTransport(bridge) : wsTransport(hostWebSocketUrl(window.location)), options);
}
