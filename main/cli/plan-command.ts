import { parseArgs } from "node:util";
import { AppError } from "../../app/contract";
import { formatPlan, type GpuInfo } from "../../app/planner";
import { planModel } from "../services/plan-service";

const GB = 1024 ** 3;

function gigabytes(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new AppError("bad_request", `--${flag} takes a size in GiB, got "${value}".`);
  return n * GB;
}

/** `m2d plan <model.gguf> [--ctx N] [--vram GiB[,GiB…] --ram GiB]`: where each tensor group goes and how fast it can run. */
export async function planCommand(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      ctx: { type: "string", default: "32768" },
      vram: { type: "string" },
      ram: { type: "string" },
      gpu: { type: "string", default: "GPU" },
      "n-cpu-moe": { type: "string" },
      unified: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
    },
  });
  const path = positionals[0];
  if (!path) throw new AppError("bad_request", "Usage: m2d plan <model.gguf> [--ctx N] [--vram GiB[,GiB…]] [--ram GiB] [--gpu NAME] [--n-cpu-moe N] [--unified]");
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
