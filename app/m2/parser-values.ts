import { exceedsJsonDepth } from "./json-depth";

/**
 * Types a raw `<parameter>` value by its JSON schema, following MiniMax's reference
 * parser (docs/tool_calling_guide.md, `convert_param_value`), with these deliberate
 * differences: a boolean that is neither true/1 nor false/0 stays a string (the
 * reference says false), numbers must be finite JSON-style numbers, integers must be
 * safe integers, type unions / anyOf / oneOf are supported (the reference fails on a
 * type array and drops every call), and JSON nested deeper than MAX_JSON_DEPTH stays text.
 */

/** "This text is not of that type"; distinct from every JSON value, null included. */
const NO_VALUE: unique symbol = Symbol("no value");

const TYPE_ALIASES: Readonly<Record<string, string>> = {
  str: "string",
  text: "string",
  int: "integer",
  float: "number",
  bool: "boolean",
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function normalizeType(type: string): string {
  const lower = type.toLowerCase();
  return TYPE_ALIASES[lower] ?? lower;
}

function collectTypes(schema: unknown, out: Set<string>, depth: number): void {
  if (!isRecord(schema) || depth > 8) return;
  const type = schema["type"];
  if (typeof type === "string") out.add(normalizeType(type));
  if (Array.isArray(type)) {
    for (const item of type) if (typeof item === "string") out.add(normalizeType(item));
  }
  for (const key of ["anyOf", "oneOf"]) {
    const branches = schema[key];
    if (Array.isArray(branches)) for (const branch of branches) collectTypes(branch, out, depth + 1);
  }
}

/** Normalized type names a property schema allows: `type` (string or array) plus anyOf/oneOf branches. */
export function schemaTypes(schema: unknown): string[] {
  const out = new Set<string>();
  collectTypes(schema, out, 0);
  return [...out];
}

/** Python's int(float("-0")) is 0, and JSON has no -0. */
function noNegativeZero(value: number): number {
  return Object.is(value, -0) ? 0 : value;
}

function parseInteger(text: string): number | typeof NO_VALUE {
  if (!/^[+-]?\d+$/.test(text)) return NO_VALUE;
  const value = Number(text);
  // Beyond 2^53 a number would silently change digits; the text keeps them.
  return Number.isSafeInteger(value) ? noNegativeZero(value) : NO_VALUE;
}

function parseNumber(text: string): number | typeof NO_VALUE {
  if (!/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return NO_VALUE;
  const value = Number(text);
  return Number.isFinite(value) ? noNegativeZero(value) : NO_VALUE;
}

function parseBoolean(text: string): boolean | typeof NO_VALUE {
  const lower = text.toLowerCase();
  if (lower === "true" || lower === "1") return true;
  if (lower === "false" || lower === "0") return false;
  return NO_VALUE;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return NO_VALUE;
  }
}

/** Conversion that succeeds only when the text really is of `type`. */
function strictConvert(type: string, raw: string, trimmed: string): unknown {
  switch (type) {
    case "integer":
      return parseInteger(trimmed);
    case "number":
      return parseNumber(trimmed);
    case "boolean":
      return parseBoolean(trimmed);
    case "object": {
      const value = parseJson(raw);
      return isRecord(value) ? value : NO_VALUE;
    }
    case "array": {
      const value = parseJson(raw);
      return Array.isArray(value) ? value : NO_VALUE;
    }
    case "string":
    case "null":
      return NO_VALUE;
    default:
      return parseJson(raw);
  }
}

/** Union members are tried most specific first; text is always the last resort. */
const UNION_ORDER = ["integer", "number", "boolean", "object", "array"];
function unionRank(type: string): number {
  const rank = UNION_ORDER.indexOf(type);
  return rank === -1 ? UNION_ORDER.length : rank;
}

function convertSingle(type: string, raw: string, trimmed: string): unknown {
  switch (type) {
    case "string":
      return NO_VALUE;
    case "object":
    case "array":
      // As the reference: any valid JSON is accepted for a structured type.
      return parseJson(raw);
    default:
      return strictConvert(type, raw, trimmed);
  }
}

export interface ConvertedParam {
  value: unknown;
  /** The text was JSON nested deeper than MAX_JSON_DEPTH: `value` is the text, and the call must fail. */
  tooDeep: boolean;
}

/**
 * `raw` is the value with one leading and one trailing newline already trimmed.
 * `schema` is the property's schema, or undefined when the parameter (or tool) is unknown:
 * like the reference, such values stay text.
 */
export function convertParam(raw: string, schema: unknown): ConvertedParam {
  const trimmed = raw.trim();
  if (trimmed.toLowerCase() === "null") return { value: null, tooDeep: false };
  const types = schemaTypes(schema);
  let value: unknown = NO_VALUE;
  if (types.length === 1 && types[0] !== undefined) {
    value = convertSingle(types[0], raw, trimmed);
  } else if (types.length > 1) {
    for (const type of [...types].sort((a, b) => unionRank(a) - unionRank(b))) {
      value = strictConvert(type, raw, trimmed);
      if (value !== NO_VALUE) break;
    }
  }
  if (value === NO_VALUE) return { value: raw, tooDeep: false };
  // Every later step walks the value recursively; past the limit only the text is safe.
  return exceedsJsonDepth(value) ? { value: raw, tooDeep: true } : { value, tooDeep: false };
}

/** The typed value alone; never nested deeper than MAX_JSON_DEPTH. */
export function convertParamValue(raw: string, schema: unknown): unknown {
  return convertParam(raw, schema).value;
}
