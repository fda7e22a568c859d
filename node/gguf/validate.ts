import { existsSync } from "node:fs";
import { metaNumber, metaString } from "./gguf-values";
import { checkHparams } from "./hparams-check";
import { checkM2Tensors } from "./m2-tensor-check";
import { isSupportedArchitecture, TARGET_ARCHITECTURE } from "./llama-archs";
import { M3_ARCH } from "./m3-arch";
import { checkM3Tensors } from "./m3-tensor-check";
import { modelInvalid } from "./model-invalid";
import { readGgufHeader, type GgufHeader } from "./reader";
import { parseSplitName, SPLIT_KEYS, splitPartPath } from "./split";
import { checkTensorTypes } from "./tensor-type-check";
import { checkVocab } from "./vocab-check";

export interface ValidatedModel {
  /** The file to hand to llama.cpp: the first part of a split model. */
  readonly loadPath: string;
  /** One header per file, in split order (a single entry when not split). */
  readonly parts: readonly GgufHeader[];
  readonly architecture: string;
  /** minimax-m2: the model this app is built for. */
  readonly isTarget: boolean;
}

function partPaths(path: string): string[] {
  const split = parseSplitName(path);
  if (!split || split.count === 1) return [path];
  if (split.index < 1 || split.index > split.count) {
    throw modelInvalid(path, "split_inconsistent", `${path}: part ${split.index} of ${split.count} is impossible`);
  }
  const paths = Array.from({ length: split.count }, (_, i) => splitPartPath(split.prefix, i + 1, split.count));
  const missing = paths.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw modelInvalid(path, "split_missing", `${missing.length} of ${split.count} parts of ${path} are missing`, { missing });
  }
  return paths;
}

function checkSplitKeys(parts: readonly GgufHeader[]): void {
  const count = parts.length;
  const totalTensors = parts.reduce((n, p) => n + p.tensors.length, 0);
  const seen = new Set<string>();
  for (const [i, part] of parts.entries()) {
    const expect = (key: string, expected: number) => {
      const actual = metaNumber(part.metadata, key);
      if (actual !== expected) {
        throw modelInvalid(part.path, "split_inconsistent", `${part.path}: ${key} is ${actual ?? "missing"}, expected ${expected}`, {
          key,
          expected,
          actual: actual ?? null,
        });
      }
    };
    if (count > 1 || part.metadata.has(SPLIT_KEYS.count)) {
      expect(SPLIT_KEYS.count, count);
      expect(SPLIT_KEYS.no, i);
      expect(SPLIT_KEYS.tensorsCount, totalTensors);
    }
    for (const t of part.tensors) {
      if (seen.has(t.name)) {
        throw modelInvalid(part.path, "split_inconsistent", `${part.path}: tensor ${t.name} also appears in an earlier part`, { tensor: t.name });
      }
      seen.add(t.name);
    }
  }
}

/**
 * Everything llama.cpp would refuse or abort on, found first: a path that is
 * not a regular file, bad magic, version, truncation, corrupt or oversized
 * headers, split sets, unknown architectures, hyper-parameters past its
 * asserts, a broken vocabulary and tensors typed wrong for their role.
 * Throws AppError("model_invalid", …, {path, reason, …}).
 */
export async function validateModel(path: string): Promise<ValidatedModel> {
  const paths = partPaths(path);
  const parts: GgufHeader[] = [];
  for (const p of paths) parts.push(await readGgufHeader(p));
  checkSplitKeys(parts);

  const first = parts[0];
  if (!first) throw new Error("unreachable: no parts");
  const architecture = metaString(first.metadata, "general.architecture");
  if (architecture === undefined || !isSupportedArchitecture(architecture)) {
    throw modelInvalid(first.path, "unsupported_arch", `architecture ${architecture ?? "(none)"} is not supported by the bundled llama.cpp`, {
      architecture: architecture ?? null,
    });
  }
  const dims = checkHparams(first.path, first.metadata, architecture);
  const nVocab = checkVocab(first.path, first.metadata);
  checkTensorTypes(parts);
  if (architecture === TARGET_ARCHITECTURE) checkM2Tensors(parts, dims, nVocab);
  if (architecture === M3_ARCH) checkM3Tensors(parts, dims, nVocab);
  return { loadPath: first.path, parts, architecture, isTarget: architecture === TARGET_ARCHITECTURE };
}
