import type { z } from "zod";
import { AppError } from "../../app/contract/errors";

/** Parses untrusted input; failures become bad_request with every issue's path. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new AppError("bad_request", `Invalid ${what}`, {
    issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })),
  });
}
