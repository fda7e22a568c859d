import type { z } from "zod";
import type { AppErrorData } from "./errors";

/**
 * The accessor of one family of typed error details: the details parsed by its schema, or undefined for any
 * other error (another code where `code` is given, or details that do not parse). Details are read only
 * through such accessors, never cast.
 */
export function detailsReader<S extends z.ZodType>(schema: S, code?: AppErrorData["code"]) {
  return (error: Pick<AppErrorData, "details"> & Partial<Pick<AppErrorData, "code">>): z.infer<S> | undefined => {
    if (code !== undefined && error.code !== code) return undefined;
    const parsed = schema.safeParse(error.details);
    return parsed.success ? parsed.data : undefined;
  };
}
