import { AppError } from "../contract/errors";
import { MAX_JSON_DEPTH } from "./json-depth";

/**
 * Jinja value semantics as Python's Jinja2 applies them to plain JSON data (what
 * transformers renders chat templates with), so the renderers treat loosely typed
 * message fields exactly as the template does.
 */

export type Mapping = Record<string, unknown>;

/** `x is mapping`: a plain object (not null, not an array). */
export function isMapping(value: unknown): value is Mapping {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `obj.key` on a mapping: own keys only; a key holding undefined counts as missing. */
export function field(value: unknown, key: string): unknown {
  return isMapping(value) && Object.hasOwn(value, key) ? value[key] : undefined;
}

/** Jinja truthiness: empty strings, lists and mappings, 0, none and undefined are false. */
export function isTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isMapping(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/**
 * `{{ value }}`: Python's str(). Undefined prints nothing, none prints `None`, booleans
 * `True`/`False`, lists and mappings their Python repr (`{'a': 1}`).
 */
export function printValue(value: unknown): string {
  if (value === undefined) return "";
  if (typeof value === "string") return value;
  return pyRepr(value, 0);
}

/**
 * A number as Python prints it after a JSON round trip: integers below 1e21 arrive as
 * ints; the rest are floats, in repr's shortest form (`1e-07`, `0.0001`, `1e+21`).
 * NaN and ±Infinity cannot cross JSON and arrive as none.
 */
export function pyNumber(value: number): string {
  if (!Number.isFinite(value)) return "None";
  if (Number.isInteger(value) && Math.abs(value) < 1e21) return String(value === 0 ? 0 : value);
  const [mantissa = "", exp = "0"] = value.toExponential().split("e");
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const decpt = Number(exp) + 1; // digits[0] sits just left of this decimal position
  let text: string;
  if (decpt > 16 || decpt < -3) {
    const e = decpt - 1;
    const abs = Math.abs(e);
    text = `${digits[0]}${digits.length > 1 ? `.${digits.slice(1)}` : ""}e${e < 0 ? "-" : "+"}${abs < 10 ? `0${abs}` : abs}`;
  } else if (decpt <= 0) {
    text = `0.${"0".repeat(-decpt)}${digits}`;
  } else {
    text = `${digits.slice(0, decpt).padEnd(decpt, "0")}.${digits.slice(decpt) || "0"}`;
  }
  return negative ? `-${text}` : text;
}

/** Python's repr() of JSON data. Bounded like toJson, so no value can overflow the stack. */
function pyRepr(value: unknown, depth: number): string {
  if (value === null || value === undefined) return "None";
  switch (typeof value) {
    case "string":
      return pyStringRepr(value);
    case "boolean":
      return value ? "True" : "False";
    case "number":
      return pyNumber(value);
    case "object": {
      if (depth >= MAX_JSON_DEPTH) {
        throw new AppError("bad_request", `A value for the prompt nests deeper than ${MAX_JSON_DEPTH} levels`, {
          reason: "too_deep",
        });
      }
      if (Array.isArray(value)) return `[${value.map((item: unknown) => pyRepr(item, depth + 1)).join(", ")}]`;
      // A key holding undefined is one JSON would not carry.
      const entries = Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${pyStringRepr(k)}: ${pyRepr(v, depth + 1)}`);
      return `{${entries.join(", ")}}`;
    }
    default:
      throw new AppError("bad_request", `Cannot print a ${typeof value} into the prompt`, { type: typeof value });
  }
}

/** Python's non-printable characters (str.isprintable): categories C* and Z* except the space. */
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

/** Python's repr() of a str: single quotes unless only double quotes avoid escaping. */
function pyStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of text) {
    if (ch === quote || ch === "\\") out += `\\${ch}`;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch !== " " && NON_PRINTABLE.test(ch)) out += escapeCodePoint(ch.codePointAt(0) ?? 0);
    else out += ch;
  }
  return out + quote;
}

function escapeCodePoint(code: number): string {
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, "0")}`;
  if (code < 0x10000) return `\\u${hex.padStart(4, "0")}`;
  return `\\U${hex.padStart(8, "0")}`;
}
