import { AppError, describeModelError, type ModelReport } from "../../app/contract";
import { familyThinking } from "../../app/family";
import { defaultDataDir } from "../paths";
import { defineCommand, parseCommandArgs, usageLine } from "./command-spec";
import { withEngine } from "./engine-session";
import { formatBytes, formatCount } from "./format";
import { resolveModelArg } from "./library-names";

export const inspectSpec = defineCommand({
  name: "inspect",
  summary: "validate a GGUF as the engine does and print its report (architecture, quant, experts, context, template)",
  positionals: "<model>",
  details: "<model> is a GGUF file or a library name (owner/repo:QUANT, see m2d models).",
  options: {
    json: { type: "boolean", default: false, help: "print the report as JSON" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder whose library names resolve (default: the app's, or $M2D_DATA_DIR)" },
  },
});

/** The family the app prompts and parses the model as, and its thinking modes when it has them. */
function familyRow(report: ModelReport): string {
  const thinking = familyThinking(report.family);
  return `${report.familyName}${thinking ? ` (thinking modes: ${thinking.modes.join(", ")}; default ${thinking.defaultMode})` : ""}`;
}

export function formatReport(report: ModelReport): string {
  const rows: Array<[string, string]> = [
    ["file", report.path],
    ["name", report.name ?? "—"],
    ["architecture", report.architecture],
    ["family", familyRow(report)],
    ["quantization", report.quantization],
    ["parameters", formatCount(report.parameterCount)],
    ["layers", String(report.layerCount ?? "—")],
    ["experts", report.expertCount ? `${report.expertCount}, ${report.expertUsedCount ?? "?"} used per token` : "—"],
    ["context length", report.contextLength ? report.contextLength.toLocaleString("en-US") : "—"],
    ["heads", report.headCount ? `${report.headCount} query / ${report.headCountKv ?? "?"} KV` : "—"],
    ["file size", `${formatBytes(report.fileSizeBytes)} in ${report.parts.length} part${report.parts.length === 1 ? "" : "s"}`],
    ["chat template", report.chatTemplate],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join("\n");
}

/** `m2d inspect <model.gguf> [--json]`: the model report, after the same validation the engine does. */
export async function inspectCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(inspectSpec, argv);
  if (positionals.length !== 1) throw new AppError("bad_request", `Usage: ${usageLine(inspectSpec)}`);
  const path = resolveModelArg(positionals[0]!, values["data-dir"] ?? defaultDataDir());
  const report = await withEngine(({ models }) => models.inspect(path)).catch((error: unknown) => {
    // a refused file says why in words first ("Invalid vocabulary: …"); details keep the typed reason
    const appError = AppError.from(error);
    throw new AppError(appError.code, describeModelError(appError), appError.details);
  });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
}
