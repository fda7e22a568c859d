import type { TestCommand } from "../../../app/contract/attempts-api";
import { SafeDir } from "../fs";

/** Larger manifests are not read: a test command is never that deep in one. */
const MAX_MANIFEST_BYTES = 1024 * 1024;
/** `npm init`'s placeholder, which only fails. */
const NPM_PLACEHOLDER = /no test specified/;
const PYTEST = "python3 -m pytest -q";

type Probe = (read: (name: string) => string | null) => TestCommand | null;

const probes: Probe[] = [
  (read) => {
    const text = read("package.json");
    if (text === null) return null;
    try {
      const test = (JSON.parse(text) as { scripts?: { test?: unknown } }).scripts?.test;
      // npm runs the script with node_modules/.bin on PATH, offline; --silent keeps its banner out of the parsed output.
      if (typeof test === "string" && test.trim() !== "" && !NPM_PLACEHOLDER.test(test)) return { command: "npm test --silent", source: "package.json" };
    } catch {
      // not JSON: nothing detected from it
    }
    return null;
  },
  (read) => (read("pytest.ini") !== null ? { command: PYTEST, source: "pytest.ini" } : null),
  (read) => (/pytest/.test(read("pyproject.toml") ?? "") ? { command: PYTEST, source: "pyproject.toml" } : null),
  (read) => (/\[tool:pytest\]/.test(read("setup.cfg") ?? "") ? { command: PYTEST, source: "setup.cfg" } : null),
  (read) => (/pytest/.test(read("tox.ini") ?? "") ? { command: PYTEST, source: "tox.ini" } : null),
  (read) => {
    const makefile = read("GNUmakefile") ?? read("Makefile") ?? read("makefile");
    // A `test:` rule, not a `test := value` assignment.
    return makefile !== null && /^test\s*:(?!=)/m.test(makefile) ? { command: "make test", source: "Makefile" } : null;
  },
  (read) => (read("Cargo.toml") !== null ? { command: "cargo test", source: "Cargo.toml" } : null),
  (read) => (read("go.mod") !== null ? { command: "go test ./...", source: "go.mod" } : null),
];

/**
 * The workspace's test command, from its manifests at the root. Each is read through a no-follow descriptor: a
 * symlink, fifo or oversized file the model could have planted reads as absent, never as the file it points to.
 */
export async function detectTestCommand(root: string): Promise<TestCommand> {
  const dir = SafeDir.openRoot(root);
  try {
    const read = (name: string): string | null => {
      try {
        return dir.readFile(name, MAX_MANIFEST_BYTES).data.toString("utf8");
      } catch {
        return null;
      }
    };
    for (const probe of probes) {
      const found = probe(read);
      if (found) return found;
    }
    return { command: null, source: "none" };
  } finally {
    dir.close();
  }
}
