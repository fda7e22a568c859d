import { convertParam, schemaTypes } from "../m2/parser-values";

/**
 * Schema lookups for M3's XML arguments, as llama.cpp's M3 parser (common/chat.cpp) types them:
 * a schema that allows a string takes the raw text, `object` with properties and `array` with
 * items are nested tags, anything else is a scalar converted from its text (app/m2/parser-values).
 * `$ref` is not resolved: such values stay text.
 */

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Own keys only, so names like `constructor` are never found on Object.prototype. */
function own(record: Record<string, unknown>, key: string): unknown {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/** The schema and its anyOf / oneOf branches, breadth first, a few levels deep. */
function branches(schema: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const queue: [unknown, number][] = [[schema, 0]];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const [item, depth] = next;
    if (!isRecord(item) || depth > 8) continue;
    out.push(item);
    for (const key of ["anyOf", "oneOf"]) {
      const list = own(item, key);
      if (Array.isArray(list)) for (const branch of list) queue.push([branch, depth + 1]);
    }
  }
  return out;
}

/** The schema of member `key` (or of an `<item>`, key null) of a value with `schema`. */
export function childSchema(schema: unknown, key: string | null): unknown {
  for (const branch of branches(schema)) {
    if (key === null) {
      const items = own(branch, "items");
      if (items !== undefined) return items;
    } else {
      const properties = own(branch, "properties");
      if (isRecord(properties) && Object.hasOwn(properties, key)) return properties[key];
    }
  }
  return undefined;
}

/** "A string accepts anything, so a union with a string alternative is a string" (llama.cpp). */
export function resolvesToString(schema: unknown): boolean {
  return schemaTypes(schema).includes("string");
}

/** Which container a schema asks for, when it asks for exactly one. */
export function containerKind(schema: unknown): "object" | "array" | undefined {
  const types = schemaTypes(schema);
  const array = types.includes("array");
  const object = types.includes("object");
  if (array === object) return undefined;
  return array ? "array" : "object";
}

/** Whether a tool's parameters list their properties (then a parameter outside them is an error). */
export function declaresProperties(parameters: unknown): boolean {
  return isRecord(parameters) && isRecord(own(parameters, "properties"));
}

export interface LeafValue {
  value: unknown;
  tooDeep: boolean;
}

/** The text between an element's tags, typed by its schema; without one it stays text. */
export function leafValue(text: string, schema: unknown): LeafValue {
  if (schema === undefined || resolvesToString(schema)) return { value: text, tooDeep: false };
  // The template writes an empty list or mapping as nothing at all.
  if (text.trim() === "") {
    const kind = containerKind(schema);
    if (kind !== undefined) return { value: kind === "array" ? [] : {}, tooDeep: false };
  }
  return convertParam(text, schema);
}
