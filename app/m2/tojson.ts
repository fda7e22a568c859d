import { AppError } from "../contract/errors";

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
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => toJson(item, undefinedAs)).join(", ")}]`;
      }
      const entries = Object.entries(value).map(
        ([key, item]) => `${JSON.stringify(key)}: ${toJson(item, undefinedAs)}`,
      );
      return `{${entries.join(", ")}}`;
    }
    default:
      throw new AppError("bad_request", `Cannot convert a ${typeof value} to JSON for the prompt`, {
        type: typeof value,
      });
  }
}
