import { toJson } from "./tojson";

/**
 * Jinja value semantics as @huggingface/jinja 0.5.11 applies them to plain JSON data,
 * so the renderer can treat loosely typed message fields exactly as the template does.
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
 * `{{ value }}`: none/undefined print nothing, lists and mappings print as JSON,
 * booleans as true/false. (Python Jinja2 would print None, True and a dict repr.)
 */
export function printValue(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return toJson(value, "undefined");
  return String(value);
}
