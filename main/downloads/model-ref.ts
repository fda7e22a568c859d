import { downloadError } from "./errors";

/** What the user asked for: a Hub repo (optionally one quant or one file) or a plain URL. */
export type ModelRef =
  | { kind: "hub"; repo: string; revision: string; quant?: string; file?: string }
  | { kind: "url"; url: string; fileName: string };

export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";
const HUB_HOSTS = new Set(["huggingface.co", "www.huggingface.co", "hf.co"]);
const REPO_PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;
const QUANT = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

function bad(input: string, why: string) {
  return downloadError("bad_request", "bad_ref", `Not a model reference: ${why}.`, { input });
}

function checkRepo(owner: string | undefined, name: string | undefined, input: string): string {
  if (!owner || !name || !REPO_PART.test(owner) || !REPO_PART.test(name) || name.includes("..")) {
    throw bad(input, "expected owner/repo");
  }
  return `${owner}/${name}`;
}

/** A file name we are willing to create in the models folder: no separators, no dot-files. */
export function safeFileName(name: string, input: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,254}$/.test(name) || name.includes("..")) {
    throw bad(input, `unsafe file name "${name}"`);
  }
  return name;
}

/**
 * Parses `hf:owner/repo[@rev][:QUANT]`, a Hub URL (repo page, tree, blob or resolve link)
 * or a plain https URL. `endpoint` lets a mirror or the test emulator count as the Hub.
 */
export function parseModelRef(input: string, endpoint: string = DEFAULT_HUB_ENDPOINT): ModelRef {
  const text = input.trim();
  if (/^hf:/i.test(text)) return parseHfScheme(text.slice(3), text);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    // A bare "owner/repo[:QUANT]" is what people paste from the Hub's copy button.
    if (/^[^/:\s]+\/[^/:\s]+(?:@[^:\s]+)?(?::[^:\s]+)?$/.test(text)) return parseHfScheme(text, text);
    throw bad(text, "expected hf:owner/repo[:QUANT], a Hub URL or an https URL");
  }
  if (isHubOrigin(url, endpoint)) return parseHubUrl(url, text);
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    throw bad(text, "only https URLs are downloaded");
  }
  const last = decodeURIComponent(url.pathname.split("/").pop() ?? "");
  return { kind: "url", url: url.toString(), fileName: safeFileName(last, text) };
}

function isHubOrigin(url: URL, endpoint: string): boolean {
  if (url.protocol === "https:" && HUB_HOSTS.has(url.hostname)) return true;
  try {
    return new URL(endpoint).origin === url.origin;
  } catch {
    return false;
  }
}

function parseHfScheme(rest: string, input: string): ModelRef {
  const match = /^([^/@:]+)\/([^/@:]+)(?:@([^:]+))?(?::([^:]+))?$/.exec(rest.replace(/^\/\//, ""));
  if (!match) throw bad(input, "expected hf:owner/repo[@revision][:QUANT]");
  const repo = checkRepo(match[1], match[2], input);
  const revision = match[3] ?? "main";
  const quant = match[4];
  if (quant !== undefined && !QUANT.test(quant)) throw bad(input, `bad quant "${quant}"`);
  return quant === undefined ? { kind: "hub", repo, revision } : { kind: "hub", repo, revision, quant };
}

function parseHubUrl(url: URL, input: string): ModelRef {
  const parts = url.pathname.split("/").filter(Boolean).map((p) => decodeURIComponent(p));
  if (parts[0] === "datasets" || parts[0] === "spaces") throw bad(input, "that is not a model repo");
  const repo = checkRepo(parts[0], parts[1], input);
  const [, , action, revision, ...path] = parts;
  if (action === undefined) return { kind: "hub", repo, revision: "main" };
  if (action === "tree" && revision) return { kind: "hub", repo, revision };
  if ((action === "blob" || action === "resolve") && revision && path.length > 0) {
    const file = path.join("/");
    if (path.some((p) => p === ".." || p === ".")) throw bad(input, "bad file path");
    safeFileName(path[path.length - 1] ?? "", input);
    return { kind: "hub", repo, revision, file };
  }
  throw bad(input, "expected a repo page or a blob/resolve link to a file");
}

/** For display and logs only; the database keeps the ref as JSON. */
export function formatModelRef(ref: ModelRef): string {
  if (ref.kind === "url") return ref.url;
  const rev = ref.revision === "main" ? "" : `@${ref.revision}`;
  if (ref.file) return `hf:${ref.repo}${rev}/${ref.file}`;
  return `hf:${ref.repo}${rev}${ref.quant ? `:${ref.quant}` : ""}`;
}
