import { AppError } from "../../app/contract";
import { formatPlan, type GpuInfo } from "../../app/planner";
import { defaultDataDir } from "../paths";
import { planModel } from "../services/plan-service";
import { defineCommand, parseCommandArgs, usageLine } from "./command-spec";
import { resolveModelArg } from "./library-names";

const GB = 1024 ** 3;

function gigabytes(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new AppError("bad_request", `--${flag} takes a size in GiB, got "${value}".`);
  return n * GB;
}

export const planSpec = defineCommand({
  name: "plan",
  summary: "plan GPU/CPU placement (expert offload) for a model and how fast it can run; exit 3 when it does not fit",
  positionals: "<model>",
  details: "<model> is a GGUF file or a library name (owner/repo:QUANT, see m2d models). Without --vram/--ram, this machine's memory.",
  options: {
    ctx: { type: "string", default: "32768", value: "N", help: "context size in tokens to plan for" },
    vram: { type: "string", value: "GiB[,GiB…]", help: "free VRAM per GPU, instead of this machine's" },
    ram: { type: "string", value: "GiB", help: "free RAM, instead of this machine's" },
    gpu: { type: "string", default: "GPU", value: "NAME", help: "the GPU's name in the plan (with --vram)" },
    "n-cpu-moe": { type: "string", value: "N", help: "keep the experts of the first N layers on the CPU, instead of the planner's choice" },
    unified: { type: "boolean", default: false, help: "the GPU shares the RAM (Apple silicon), with --ram" },
    json: { type: "boolean", default: false, help: "print the plan as JSON" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder whose library names resolve (default: the app's, or $M2D_DATA_DIR)" },
  },
});

/** `m2d plan <model> [--ctx N] [--vram GiB[,GiB…] --ram GiB]`: where each tensor group goes and how fast it can run. */
export async function planCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseCommandArgs(planSpec, argv);
  if (positionals.length !== 1) throw new AppError("bad_request", `Usage: ${usageLine(planSpec)}`);
  const path = resolveModelArg(positionals[0]!, values["data-dir"] ?? defaultDataDir());
  const context = Number(values.ctx);
  if (!Number.isInteger(context) || context < 256) throw new AppError("bad_request", `--ctx must be an integer ≥ 256, got "${values.ctx}".`);
  const gpus: GpuInfo[] | undefined = values.vram?.split(",").map((v, i) => ({ name: `${values.gpu}${i > 0 ? ` #${i + 1}` : ""}`, freeVram: gigabytes(v, "vram")! }));
  const ram = gigabytes(values.ram, "ram");
  const nCpuMoe = values["n-cpu-moe"] === undefined ? undefined : Number(values["n-cpu-moe"]);

  const { plan } = await planModel(path, {
    context,
    ...(gpus ? { gpus } : {}),
    ...(ram !== undefined ? { host: { freeRam: ram, totalRam: ram, unifiedMemory: values.unified } } : {}),
    ...(nCpuMoe !== undefined ? { override: { nCpuMoe } } : {}),
  });
  console.log(values.json ? JSON.stringify(plan, null, 2) : formatPlan(plan));
  if (!plan.fits) process.exitCode = 3;
}
