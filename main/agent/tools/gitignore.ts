/**
 * A small .gitignore matcher: comments, `!` negation, trailing `/` (folders only), anchoring by a
 * leading or inner `/`, `*`, `?`, `[…]` and `**`. Rules of nested .gitignore files apply below
 * their folder and override outer ones; the last matching rule wins.
 */

interface Rule {
  /** Folder of the .gitignore, relative to the workspace ("" for the root). */
  base: string;
  regex: RegExp;
  negate: boolean;
  dirOnly: boolean;
}

function globToRegex(glob: string): string {
  let out = "";
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === "*") {
      if (glob[i + 1] === "*") {
        const slashAfter = glob[i + 2] === "/";
        const atSegmentStart = i === 0 || glob[i - 1] === "/";
        if (atSegmentStart && slashAfter) {
          out += "(?:.*/)?"; // `**/`: zero or more folders
          i += 2;
        } else {
          out += ".*";
          i += 1;
        }
      } else out += "[^/]*";
    } else if (c === "?") out += "[^/]";
    else if (c === "[") {
      const close = glob.indexOf("]", i + 2);
      if (close < 0) out += "\\[";
      else {
        let body = glob.slice(i + 1, close);
        if (body.startsWith("!")) body = `^${body.slice(1)}`;
        out += `[${body.replace(/\\/g, "\\\\")}]`;
        i = close;
      }
    } else if (c === "\\" && i + 1 < glob.length) {
      out += (glob[i + 1] as string).replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
      i++;
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  return out;
}

export function parseGitignore(text: string, base: string): Rule[] {
  const rules: Rule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.replace(/(?<!\\)\s+$/, "");
    if (line === "" || line.startsWith("#")) continue;
    const negate = line.startsWith("!");
    if (negate) line = line.slice(1);
    if (line.startsWith("\\#") || line.startsWith("\\!")) line = line.slice(1);
    const dirOnly = line.endsWith("/");
    if (dirOnly) line = line.slice(0, -1);
    const anchored = line.includes("/");
    if (line.startsWith("/")) line = line.slice(1);
    if (line === "") continue;
    const body = globToRegex(line);
    // Unanchored patterns match a name at any depth; anchored ones from the .gitignore's folder.
    const source = anchored ? `^${body}(?:/.*)?$` : `^(?:.*/)?${body}(?:/.*)?$`;
    rules.push({ base, regex: new RegExp(source), negate, dirOnly });
  }
  return rules;
}

export class GitIgnore {
  private readonly rules: Rule[] = [];

  add(text: string, base: string): void {
    this.rules.push(...parseGitignore(text, base));
  }

  /** `relative` is workspace-relative with "/" separators. */
  ignores(relative: string, isDirectory: boolean): boolean {
    let ignored = false;
    for (const rule of this.rules) {
      const prefix = rule.base === "" ? "" : `${rule.base}/`;
      if (prefix && !relative.startsWith(prefix)) continue;
      const local = relative.slice(prefix.length);
      if (!rule.regex.test(local)) continue;
      // A folder-only rule matches a file only through one of its parent folders.
      if (rule.dirOnly && !isDirectory && !matchesAsParent(rule.regex, local)) continue;
      ignored = !rule.negate;
    }
    return ignored;
  }
}

/** For a folder-only rule and a file: true when one of the file's parent folders matches. */
function matchesAsParent(regex: RegExp, local: string): boolean {
  const parts = local.split("/");
  for (let i = 1; i < parts.length; i++) if (regex.test(parts.slice(0, i).join("/"))) return true;
  return false;
}
