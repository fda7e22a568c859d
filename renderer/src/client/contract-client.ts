import {
  AppError,
  AppEventSchema,
  methods,
  type AppEvent,
  type MethodName,
  type MethodParams,
  type MethodResult,
} from "../../../app/contract";
import { electronBridge, ipcTransport } from "./ipc-transport";
import type { ConnectionState, Transport } from "./transport";
import { hostWebSocketUrl, wsTransport } from "./ws-transport";

/** The renderer's only way to the backend. It neither knows nor cares which transport carries it. */
export class ContractClient {
  constructor(private readonly transport: Transport) {}

  get transportKind(): Transport["kind"] {
    return this.transport.kind;
  }

  async call<M extends MethodName>(method: M, params: MethodParams<M>): Promise<MethodResult<M>> {
    const outcome = await this.transport.call(method, params);
    if (!outcome.ok) throw AppError.fromData(outcome.error);
    const result = methods[method].result.safeParse(outcome.result);
    if (!result.success) throw new AppError("internal", `The backend sent an invalid ${method} result.`, { issues: result.error.issues });
    return result.data as MethodResult<M>;
  }

  onEvent(listener: (event: AppEvent) => void): () => void {
    return this.transport.onEvent((raw) => {
      const parsed = AppEventSchema.safeParse(raw);
      if (parsed.success) listener(parsed.data);
    });
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    return this.transport.onConnection(listener);
  }
}

export function connectToBackend(): ContractClient {
  const bridge = electronBridge();
  return new ContractClient(bridge ? ipcTransport(bridge) : wsTransport(hostWebSocketUrl(window.location)));
}
