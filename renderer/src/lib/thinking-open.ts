import { readJson, writeJson } from "./storage";

const KEY = "m2d.thinkingOpen";
const LIMIT = 1000;

/** The user's own open/closed choice per thinking block, across re-renders and reloads. */
let choices: Record<string, boolean> | undefined;

function load(): Record<string, boolean> {
  choices ??= readJson<Record<string, boolean>>(KEY, {});
  return choices;
}

export function thinkingChoice(id: string): boolean | undefined {
  return load()[id];
}

export function rememberThinking(id: string, open: boolean): void {
  const all = load();
  delete all[id]; // re-insert at the end: insertion order is the eviction order
  all[id] = open;
  const ids = Object.keys(all);
  for (const old of ids.slice(0, Math.max(0, ids.length - LIMIT))) delete all[old];
  writeJson(KEY, all);
}
