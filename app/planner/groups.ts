/** The plan's table: tensor groups by device, with their layer ranges. */
import { tensorGroup, type PlannerTensor, type TensorGroup } from "./tensors";
import type { DeviceIndex, GroupRow } from "./types";

const order: readonly TensorGroup[] = ["input", "attention", "router", "experts", "output"];

/** "0-56", "0-21,31-52". */
export function layerRanges(layers: readonly number[]): string {
  const sorted = [...new Set(layers)].sort((a, b) => a - b);
  const parts: string[] = [];
  let start = sorted[0];
  let prev = start;
  for (const l of [...sorted.slice(1), Number.NaN]) {
    if (start === undefined || prev === undefined) break;
    if (l === prev + 1) {
      prev = l;
      continue;
    }
    parts.push(start === prev ? `${start}` : `${start}-${prev}`);
    start = prev = l;
  }
  return parts.join(",");
}

export function groupRows(tensors: readonly PlannerTensor[], deviceOf: (t: PlannerTensor) => DeviceIndex): GroupRow[] {
  const acc = new Map<string, { group: TensorGroup; device: DeviceIndex; layers: number[]; tensors: number; bytes: number }>();
  for (const t of tensors) {
    const group = tensorGroup(t);
    const device = deviceOf(t);
    const key = `${group}:${device}`;
    const row = acc.get(key) ?? { group, device, layers: [], tensors: 0, bytes: 0 };
    if (t.layer !== null) row.layers.push(t.layer);
    row.tensors++;
    row.bytes += t.bytes;
    acc.set(key, row);
  }
  return [...acc.values()]
    .sort((a, b) => order.indexOf(a.group) - order.indexOf(b.group) || (a.layers[0] ?? 0) - (b.layers[0] ?? 0) || a.device - b.device)
    .map((r) => ({ group: r.group, layers: layerRanges(r.layers), device: r.device, tensors: r.tensors, bytes: r.bytes }));
}
