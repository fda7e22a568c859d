import { AppError } from "../contract/errors";
import { MAX_JSON_DEPTH } from "./json-depth";

/**
 * JSON text exactly as @huggingface/jinja 0.5.11 writes `value | tojson(ensure_ascii=False)`,
 * which mirrors transformers' Python `json.dumps(ensure_ascii=False)`: ", " and ": "
 * separators, keys in object order, non-ASCII left as is.
 *
 * Known differences from Python's json.dumps (inherent to JS numbers/objects):
 * integral floats print as ints (1.0 -> 1), exponents as JS writes them (1e-7, not 1e-07),
 * and integer-like keys come first in ascending order (JS own-key order).
 *
 * `undefinedAs` mirrors jinja: the filter writes `null`, printing a value writes `undefined`.
 */
export function toJson(value: unknown, undefinedAs: "null" | "undefined" = "null"): string {
  return write(value, undefinedAs, 0);
}

function write(value: unknown, undefinedAs: "null" | "undefined", depth: number): string {
  if (value === null) return "null";
  if (value === undefined) return undefinedAs;
  switch (typeof value) {
    case "string":
    case "boolean":
      return JSON.stringify(value);
    case "number":
      // NaN and ±Infinity become null, as JSON.stringify (and the library) writes them.
      return JSON.stringify(value);
    case "object": {
      // A recursive writer: bounded, so no value (a client's, an MCP server's) can overflow the stack.
      if (depth >= MAX_JSON_DEPTH) {
        throw new AppError("bad_request", `A value for the prompt nests deeper than ${MAX_JSON_DEPTH} levels`, {
          reason: "too_deep",
        });
      }
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => write(item, undefinedAs, depth + 1)).join(", ")}]`;
      }
      const entries = Object.entries(value).map(
        ([key, item]) => `${JSON.stringify(key)}: ${write(item, undefinedAs, depth + 1)}`,
      );
      return `{${entries.join(", ")}}`;
    }
    default:
      throw new AppError("bad_request", `Cannot convert a ${typeof value} to JSON for the prompt`, {
        type: typeof value,
      });
  }
}
