/** Files a drop or paste may insert as text: text/* and common source and data files, up to 2 MB each. */
const TEXT_EXTENSIONS = /\.(txt|md|markdown|rst|csv|tsv|json|jsonl|ya?ml|toml|ini|cfg|conf|env|xml|html?|css|scss|less|js|mjs|cjs|jsx|ts|tsx|py|rb|go|rs|java|kt|c|h|cc|cpp|hpp|cs|swift|php|pl|lua|r|sql|sh|bash|zsh|fish|ps1|bat|dockerfile|makefile|gradle|log|diff|patch|tex|vue|svelte)$/i;
export const MAX_TEXT_FILE_BYTES = 2 * 1024 * 1024;

export function isTextFile(file: { name: string; type: string; size: number }): boolean {
  return file.size <= MAX_TEXT_FILE_BYTES && (file.type.startsWith("text/") || file.type === "application/json" || TEXT_EXTENSIONS.test(file.name) || /^(makefile|dockerfile|readme|license)$/i.test(file.name));
}

const IMAGE_EXTENSIONS = /\.(png|jpe?g|gif|webp|bmp|tiff?|heic|avif|svg|ico)$/i;

/** Why a file cannot go into the message (null: it can), in words for the user. */
export function refusalReason(file: { name: string; type: string; size: number }): string | null {
  if (file.type.startsWith("image/") || IMAGE_EXTENSIONS.test(file.name)) {
    return `${file.name} is an image: the model has no vision, so only text files can be attached.`;
  }
  if (file.size > MAX_TEXT_FILE_BYTES) return `${file.name} is over 2 MB: attach a smaller text file.`;
  if (!isTextFile(file)) return `${file.name} is not a text file: only text and source files can be attached.`;
  return null;
}

/** Prose goes in as it is; anything else as a fenced block named after the file. */
export function fileInsertion(name: string, content: string): string {
  if (/\.(txt|md|markdown)$/i.test(name)) return content;
  const ext = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? "";
  const longest = Math.max(0, ...Array.from(content.matchAll(/`+/g), (m) => m[0].length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return `${name}:\n${fence}${ext}\n${content.replace(/\n$/, "")}\n${fence}`;
}
