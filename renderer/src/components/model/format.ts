import type { LoadedModel, SystemMemory } from "../../../../app/contract";

export function formatBytes(bytes: number): string {
  if (bytes < 1024 ** 2) return `${Math.round(bytes / 1024)} KB`;
  if (bytes < 1024 ** 3) return `${(bytes / 1024 ** 2).toFixed(0)} MB`;
  return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
}

export function modelName(model: LoadedModel): string {
  return model.report.name ?? model.report.path.split(/[\\/]/).pop() ?? model.report.path;
}

/** "RAM 12.3 / 64.0 GB": in use as `free` counts it (total − available), so page cache is not "used". */
export function ramLabel(memory: SystemMemory): string {
  return `RAM ${formatBytes(Math.max(0, memory.total - memory.available))} / ${formatBytes(memory.total)}`;
}

/** "VRAM 3.1 / 24.0 GB" on a GPU backend, else system RAM in use (at load time; the status bar shows it live). */
export function memoryLabel(model: LoadedModel): string {
  const { vram, ram } = model.backend;
  if (vram.total > 0) return `VRAM ${formatBytes(vram.used)} / ${formatBytes(vram.total)}`;
  return ramLabel({ total: ram.total, available: ram.free });
}
