import {
  AppError,
  isMethodName,
  methods,
  type CallOutcome,
  type MethodName,
  type ParsedMethodParams,
  type MethodResult,
} from "../../app/contract";

/** Who is calling: each transport authenticates its sender before dispatching. */
export interface CallContext {
  transport: "electron" | "websocket" | "cli";
}

export type Handlers = {
  [M in MethodName]: (params: ParsedMethodParams<M>, context: CallContext) => Promise<MethodResult<M>>;
};

/**
 * The single dispatcher behind every transport: it validates the method, the params
 * and the handler's own result against the contract, and turns every failure into data.
 */
export function createRouter(
  handlers: Handlers,
  /** Told of every throw that is not an AppError (a bug, a library's failure), with its stack, before it becomes data. */
  onUnexpected?: (error: unknown, method: string) => void,
) {
  return async function dispatch(method: unknown, params: unknown, context: CallContext): Promise<CallOutcome> {
    try {
      if (!isMethodName(method)) {
        throw new AppError("unknown_method", `Unknown method: ${String(method).slice(0, 80)}`);
      }
      const spec = methods[method];
      const input = spec.params.safeParse(params ?? {});
      if (!input.success) {
        throw new AppError("bad_request", `Invalid params for ${method}.`, { issues: input.error.issues });
      }
      const handler = handlers[method] as (p: unknown, c: CallContext) => Promise<unknown>;
      const output = spec.result.safeParse(await handler(input.data, context));
      if (!output.success) {
        throw new AppError("internal", `The backend produced an invalid result for ${method}.`, { issues: output.error.issues });
      }
      return { ok: true, result: output.data };
    } catch (error) {
      if (!(error instanceof AppError)) onUnexpected?.(error, String(method).slice(0, 80));
      return { ok: false, error: AppError.from(error).toData() };
    }
  };
}

export type Dispatch = ReturnType<typeof createRouter>;
