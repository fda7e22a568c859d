/** The Hub emulator in its own process (for the benchmark), serving one large generated file. */
import { randomBytes } from "node:crypto";
import { ggufPrefix, repeatingContent } from "./content";
import { HubEmulator } from "./hub-emulator";

export interface EmulatorChildReady {
  endpoint: string;
  ref: string;
  plainUrl: string;
  size: number;
}

async function main(): Promise<void> {
  const size = Number(process.argv[2] ?? 1024 ** 3);
  // 16 MiB of random bytes repeated: incompressible enough, and no 1 GB buffer. The header at
  // byte 0 describes the whole file; its later copies are just tensor data.
  const block = randomBytes(16 * 1024 * 1024);
  ggufPrefix(size).copy(block, 0);
  const emulator = await HubEmulator.start();
  const repo = "bench/MiniMax-M2-GGUF";
  const path = "Q8_0/MiniMax-M2-Q8_0.gguf";
  emulator.addRepo({ repo, files: [{ path, content: repeatingContent(size, block) }] });
  const ready: EmulatorChildReady = { endpoint: emulator.endpoint, ref: `hf:${repo}:Q8_0`, plainUrl: emulator.plainUrl(repo, path), size };
  process.send?.(ready);
  process.on("disconnect", () => void emulator.close().then(() => process.exit(0)));
}

void main();
