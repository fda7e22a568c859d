/**
 * Deeper GGUF validation hook, run after the magic/version check. engine/gguf/validate.ts did
 * not exist when this was written; once it does, call it here. Returns true or why it failed.
 */
export async function validateDownloadedGguf(_path: string): Promise<true | string> {
  return true;
}
