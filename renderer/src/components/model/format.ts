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

/**
 * How the loaded model's prompts are built, for the Model panel: `fact` always, `notice` when the app
 * does not render the model's template the way MiniMax's own would (engine/runtime/prompt-builder.ts).
 */
export function promptFormatFact(model: LoadedModel): { fact: string; notice?: string } {
  const { family, familyName, chatTemplate } = model.report;
  if (family === "unknown") {
    return chatTemplate === "missing"
      ? { fact: "Unknown model · no chat template", notice: "The app does not recognise this model and the file has no chat template: prompts use MiniMax-M2's format, and replies are shown as plain text." }
      : { fact: "Unknown model · the file's own template", notice: "The app does not recognise this model: prompts use the chat template inside the file, and replies are shown as plain text, with no reasoning or tool calls read from them." };
  }
  if (chatTemplate === "missing") return { fact: `${familyName} · no template in the file, the app's ${familyName} format` };
  if (model.promptFormat === "m2-renderer") return { fact: `${familyName} · official template` };
  return {
    fact: `${familyName} · the file's own template`,
    notice: `This file's chat template is not MiniMax's official ${familyName} template, nor a revision the app knows, so prompts are rendered from the file's own template. Replies are still read as ${familyName}'s.`,
  };
}
