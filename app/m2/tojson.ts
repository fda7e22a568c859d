import { AppError } from "../contract/errors";
import { MAX_JSON_DEPTH } from "./json-depth";
import { pyNumber } from "./template-values";

/**
 * JSON text exactly as transformers' `tojson` filter writes `value | tojson(ensure_ascii=False)`:
 * Python's `json.dumps(ensure_ascii=False)`, ", " and ": " separators, keys in object order,
 * non-ASCII left as is, floats in Python's repr (1e-07).
 *
 * What JS data cannot carry: a float 1.0 arrives as 1 and prints as an int, and integer-like
 * keys come first in ascending order (JS own-key order).
 *
 * Undefined stands for what JSON cannot carry either: a key holding it is left out, as the
 * client's JSON would have no such key, and elsewhere it writes null.
 */
export function toJson(value: unknown): string {
  return write(value, 0);
}

function write(value: unknown, depth: number): string {
  if (value === null || value === undefined) return "null";
  switch (typeof value) {
    case "string":
      return jsonString(value);
    case "boolean":
      return JSON.stringify(value);
    case "number":
      // NaN and ±Infinity cannot cross JSON: they arrive as null.
      return Number.isFinite(value) ? pyNumber(value) : "null";
    case "object": {
      // A recursive writer: bounded, so no value (a client's, an MCP server's) can overflow the stack.
      if (depth >= MAX_JSON_DEPTH) {
        throw new AppError("bad_request", `A value for the prompt nests deeper than ${MAX_JSON_DEPTH} levels`, {
          reason: "too_deep",
        });
      }
      if (Array.isArray(value)) {
        return `[${value.map((item: unknown) => write(item, depth + 1)).join(", ")}]`;
      }
      const entries = Object.entries(value)
        .filter(([, item]) => item !== undefined)
        .map(([key, item]) => `${JSON.stringify(key)}: ${write(item, depth + 1)}`);
      return `{${entries.join(", ")}}`;
    }
    default:
      throw new AppError("bad_request", `Cannot convert a ${typeof value} to JSON for the prompt`, {
        type: typeof value,
      });
  }
}

/** json.dumps' string escaping: quotes, backslashes and C0 controls only; lone surrogates stay raw. */
function jsonString(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/["\\\u0000-\u001f]/g, (ch) => JSON_ESCAPES[ch] ?? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`)}"`;
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"',
  "\\": "\\\\",
  "\b": "\\b",
  "\f": "\\f",
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
};
