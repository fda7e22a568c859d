/** formatPlan: the multi-line text `m2d plan` prints. */
import { speedText } from "./explain";
import type { LoadPlan, MemoryUse } from "./types";
import { CPU } from "./types";
import { formatContext, formatInt, GB, GiB } from "./units";

type Align = "l" | "r";

function table(rows: readonly (readonly string[])[], align: readonly Align[], indent = "  "): string[] {
  const widths = align.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows.map((r) =>
    indent +
    align
      .map((a, c) => {
        const cell = r[c] ?? "";
        const w = widths[c] ?? 0;
        return a === "l" ? cell.padEnd(w) : cell.padStart(w);
      })
      .join("  ")
      .trimEnd(),
  );
}

const gib = (b: number): string => (b / GiB).toFixed(1);
const deviceName = (plan: LoadPlan, d: number): string => (d === CPU ? "CPU" : (plan.gpus[d]?.label.split(" ")[0] ?? `GPU${d}`));

function memoryRow(m: MemoryUse): string[] {
  const left = m.available - m.margin - m.total;
  return [m.label, gib(m.weights), gib(m.kvCache), gib(m.compute), gib(m.total), gib(m.margin), gib(m.available), gib(left)];
}

function llamaArgs(plan: LoadPlan): string {
  const args = [`--n-gpu-layers ${plan.gpuLayers}`, `-c ${plan.context}`];
  if (plan.kvType !== "f16") args.push(`-ctk ${plan.kvType} -ctv ${plan.kvType}`);
  if (plan.flashAttention) args.push("-fa on");
  if (plan.nCpuMoe !== null && plan.nCpuMoe > 0 && plan.source !== "patterns") args.push(`--n-cpu-moe ${plan.nCpuMoe}`);
  else for (const o of plan.overrides) args.push(`-ot "${o.pattern}=${o.device}"`);
  if (plan.gpus.length > 1) args.push(`--tensor-split ${plan.tensorSplit.map((f) => f.toFixed(3)).join(",")}`);
  return args.join(" ");
}

export function formatPlan(plan: LoadPlan): string {
  const m = plan.model;
  const out: string[] = [];
  out.push(
    `${m.name}${m.quant ? ` ${m.quant}` : ""} (${(m.bytes / GB).toFixed(1)} GB, ${m.layers} layers) · context ${formatInt(plan.context)} · KV ${plan.kvType} · flash attention ${plan.flashAttention ? "on" : "off"}${plan.unifiedMemory ? " · unified memory" : ""}`,
  );
  out.push(plan.explanation, "");

  out.push("Tensor groups");
  out.push(
    ...table(
      [
        ["group", "layers", "device", "tensors", "GiB"],
        ...plan.groups.map((g) => [g.group, g.layers || "-", deviceName(plan, g.device), String(g.tensors), gib(g.bytes)]),
      ],
      ["l", "l", "l", "r", "r"],
    ),
    "",
  );

  out.push("Memory (GiB)");
  out.push(
    ...table(
      [["", "weights", "KV", "compute", "total", "margin", "available", "left"], ...plan.gpus.map(memoryRow), memoryRow(plan.ram)],
      ["l", "r", "r", "r", "r", "r", "r", "r"],
    ),
    `  margin: GPU driver/fragmentation reserve; for RAM the OS reserve${plan.unifiedMemory ? "; unified: RAM counts GPU and CPU together" : ""}`,
    "",
  );

  const s = plan.speed;
  const lines = plan.gpus.map((g, d) => {
    const read = (s.gpuReadBytes[d] ?? 0) + g.kvCache;
    const bw = s.gpuBandwidth[d] ?? 1;
    return [g.label, `${(read / GB).toFixed(2)} GB`, `${Math.round(bw / GB)} GB/s`, `${((read / bw) * 1000).toFixed(1)} ms`];
  });
  const cpuKv = plan.unifiedMemory ? plan.ram.kvCache - plan.gpus.reduce((a, g) => a + g.kvCache, 0) : plan.ram.kvCache;
  const cpuRead = s.cpuReadBytes + cpuKv;
  lines.push(["CPU", `${(cpuRead / GB).toFixed(2)} GB`, `${Math.round(s.cpuBandwidth / GB)} GB/s`, `${((cpuRead / s.cpuBandwidth) * 1000).toFixed(1)} ms`]);
  out.push(`Decode speed ceiling (memory-bound; bytes read per token at ${formatContext(plan.context)} context)`);
  out.push(...table([["", "read/token", "bandwidth", "time"], ...lines], ["l", "r", "r", "r"]));
  out.push(`  ${speedText(s, plan.context)}`, "");

  if (plan.fits) {
    out.push(`Max context for this placement: ${formatInt(plan.maxContext)}`);
    out.push(`llama.cpp: ${llamaArgs(plan)}`);
  } else {
    out.push("Not loadable: the table above is the placement that comes closest.");
    if (plan.refusal && plan.refusal.suggestions.length > 0) {
      out.push("Would fit:", ...plan.refusal.suggestions.map((x) => `  - ${x.text}`));
    }
  }
  if (plan.warnings.length > 0) out.push("Warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  return out.join("\n");
}
