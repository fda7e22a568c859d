import { validateModel } from "../../node/gguf/validate";

/**
 * The engine's own check of a finished model (header, truncation, split set, architecture),
 * run once every file is hash-verified and at its final name. Throws its typed model_invalid.
 */
export async function validateDownloadedModel(primaryPath: string): Promise<void> {
  await validateModel(primaryPath);
}
