/**
 * The links the window may open in the user's browser: the Hugging Face Hub's own pages over https (a gated
 * repo's "Accept the terms"), nothing else. Any other URL, a model's output or a planted page's, stays denied
 * (Electron's checklist: no shell.openExternal of untrusted content).
 */
const HUB_HOSTS = new Set(["huggingface.co", "hf.co"]);

export function isOpenableExternally(url: string): boolean {
  try {
    const target = new URL(url);
    return target.protocol === "https:" && HUB_HOSTS.has(target.hostname) && target.port === "" && target.username === "" && target.password === "";
  } catch {
    return false;
  }
}
