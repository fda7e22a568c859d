/**
 * How deep model-produced JSON may nest. JSON.parse is iterative, but nearly everything
 * after it recurses: JSON.stringify (IPC, SQLite, the WebSocket, `m2d parse`), structured
 * clone (Electron's utility process), the prompt's tojson, zod's recursive schemas, and
 * SQLite's json_valid stops at 1000. 128 is serde_json's default limit, far more than any
 * tool argument needs, and leaves every one of those walks a wide margin.
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Whether arrays and objects in `value` nest more than `limit` levels (a scalar is 0,
 * `[]` is 1). Iterative, so it is safe on any input; a cycle counts as too deep.
 */
export function exceedsJsonDepth(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  const pending: [unknown, number][] = [[value, 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, depth] = next;
    if (typeof item !== "object" || item === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return false;
}
