import { execFileSync } from "node:child_process";
import { join } from "node:path";

const SCRIPT = join(import.meta.dirname, "..", "scripts", "jinja-reference.py");

export type Jinja2Result = { ok: true; text: string } | { ok: false; error: string };

/**
 * Renders `template` once per context with Python's Jinja2 set up as transformers does
 * (scripts/jinja-reference.py): the byte-exact reference for the TS prompt renderers.
 * One Python process per call, so batch the contexts.
 */
export function renderWithJinja2(template: string, contexts: readonly Record<string, unknown>[]): Jinja2Result[] {
  const output = execFileSync("python3", [SCRIPT], {
    input: JSON.stringify({ template, contexts }),
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(output.toString("utf8")) as Jinja2Result[];
}
