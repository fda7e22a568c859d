import { createInterface } from "node:readline/promises";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { POLICY_MODES, type PolicyMode } from "../../app/agent/types";
import { AppError, GpuChoiceSchema, type AppEvent } from "../../app/contract";
import type { AgentDecision } from "../../app/contract/agent-api";
import { createBackend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { defaultDataDir } from "../paths";
import { distPath } from "./dist-paths";
import { reviewWorkspaceMcp } from "./mcp-consent";

const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/** The Ask question: what runs, where, why, and what "always" would save (exactly what gets saved). */
function approvalPrompt(decision: AgentDecision): string {
  const always = decision.alwaysAllow;
  const saves = !always
    ? ""
    : always.ok
      ? `\n  a = approve, and always allow in this workspace:${always.entries.map((entry) => `\n      ${entry}`).join("")}`
      : `\n  (cannot be always allowed: ${always.reason})`;
  return `\nAllow ${decision.tool}: ${decision.action}\n  in ${decision.where}\n  (${decision.reason})${saves}\n  [y/N${always?.ok ? "/a" : ""}] `;
}

/**
 * `m2d agent --workspace DIR --model MODEL "task"`: the app's agent loop from a terminal.
 * In Ask mode it asks here; with no terminal attached, what needs approval is refused.
 */
export async function agentCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      workspace: { type: "string" },
      model: { type: "string" },
      mode: { type: "string" },
      "max-steps": { type: "string", default: "100" },
      json: { type: "boolean", default: false },
      "data-dir": { type: "string" },
      ctx: { type: "string" },
      gpu: { type: "string", default: "auto" },
      "trust-workspace-mcp": { type: "boolean", default: false },
    },
  });
  const task = positionals.join(" ").trim();
  if (!values.workspace || !values.model || !task) {
    throw new AppError("bad_request", 'Usage: m2d agent --workspace DIR --model MODEL [--mode ask|auto-edit|full-auto|read-only] [--max-steps N] [--json] [--trust-workspace-mcp] "task"');
  }
  // Without --mode, the workspace's own mode (Ask until the user changes it).
  const mode = values.mode?.replace("-", "_") as PolicyMode | undefined;
  if (mode !== undefined && !POLICY_MODES.includes(mode)) throw new AppError("bad_request", `--mode must be one of ask, auto-edit, full-auto, read-only.`);
  const maxSteps = Number(values["max-steps"]);
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw new AppError("bad_request", "--max-steps must be a positive integer.");

  const interactive = process.stdin.isTTY === true && !values.json;
  const dataDir = values["data-dir"] ?? (process.env.M2D_DATA_DIR ? defaultDataDir() : mkdtempSync(join(tmpdir(), "m2d-agent-")));
  const backend = createBackend({ dataDir, spawnEngine: forkSpawner(distPath("engine/main.js")), log: () => undefined });
  const print = (line: string) => process.stdout.write(line);
  const questions = interactive ? createInterface({ input: process.stdin, output: process.stderr }) : undefined;

  try {
    // Before the model loads, so the question comes at once.
    await reviewWorkspaceMcp({
      dataDir,
      workspace: values.workspace,
      consent: backend.agent.mcpConsent,
      trust: values["trust-workspace-mcp"],
      questions,
      write: (text) => process.stderr.write(text),
    });
    const contextSize = values.ctx ? Number(values.ctx) : undefined;
    const gpu = GpuChoiceSchema.safeParse(values.gpu);
    if (!gpu.success) throw new AppError("bad_request", `--gpu must be one of ${GpuChoiceSchema.options.join(", ")}.`);
    await backend.models.load(values.model, { gpu: gpu.data, ...(contextSize ? { contextSize } : {}) });
    let reasoning = false;
    const done = new Promise<Extract<AppEvent, { type: "agent.done" }>>((resolve) => {
      backend.events.subscribe((event) => {
        if (values.json) {
          if (event.type.startsWith("agent.") || event.type === "generation.event") print(`${JSON.stringify(event)}\n`);
        } else if (event.type === "generation.event") {
          const e = event.event;
          if (e.type === "reasoning_delta") {
            if (!reasoning) print(`\n${DIM}`);
            reasoning = true;
            print(e.text);
          } else if (e.type === "content_delta") {
            if (reasoning) print(`${RESET}\n`);
            reasoning = false;
            print(e.text);
          } else if (e.type === "tool_call_completed") {
            if (reasoning) print(RESET);
            reasoning = false;
            print(`\n→ ${e.name} ${JSON.stringify(e.arguments)}\n`);
          }
        } else if (event.type === "agent.tool_run") {
          const r = event.run;
          print(`  ${r.ok ? "✓" : "✗"} ${r.tool} (${r.decidedBy === "user" ? (r.approved ? "approved by you" : "declined") : (r.decision ?? "refused")}, ${r.durationMs ?? 0} ms)\n`);
        }
        if (event.type === "agent.approval") {
          const { decision } = event;
          if (!questions) {
            print(`  ✗ ${decision.action} needs approval and no terminal is attached: refused.\n`);
            void backend.agent.approve(event.approvalId, false);
            return;
          }
          void questions.question(approvalPrompt(decision)).then((answer) => {
            const always = decision.alwaysAllow?.ok === true && /^a(lways)?$/i.test(answer.trim());
            backend.agent.approve(event.approvalId, always || /^y(es)?$/i.test(answer.trim()), always).catch((error: unknown) => {
              print(`  ✗ ${AppError.from(error).message}\n`);
              backend.agent.approve(event.approvalId, false).catch(() => undefined);
            });
          });
        }
        if (event.type === "agent.done") resolve(event);
      });
    });
    await backend.agent.start({ workspace: values.workspace, task, maxSteps, ...(mode ? { mode } : {}) });
    process.once("SIGINT", () => void backend.agent.stopAll());
    const outcome = await done;
    if (!values.json) print(`${RESET}\n\n${outcome.reason === "answered" ? "" : `${outcome.explanation}\n`}`);
    process.exitCode = outcome.reason === "answered" ? 0 : 1;
  } finally {
    questions?.close();
    await backend.close();
  }
}
