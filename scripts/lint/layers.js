// The process architecture as a lint rule, in the style of VS Code's `code-layering`:
// each top-level folder is a layer, and a file may import only the layers listed for its own.
//
//   app       pure TypeScript shared by every process (contract, protocol, planner): imports nothing of ours
//   node      Node-only code shared by main and engine (GGUF reading, test-model generation): app
//   engine    the engine process (llama.cpp): app, node
//   main      the backend process (services, storage, hosts, CLI): app, node
//   renderer  the UI: app
//   testing   test harnesses that drive several processes at once: everything
//
// Tests (`*.test.ts`, e2e/, scripts/) may also import testing/. Outside that, testing/ is off limits.
import { dirname, relative, resolve, sep } from "node:path";

const ROOT = dirname(dirname(dirname(new URL(import.meta.url).pathname)));

export const LAYERS = {
  app: ["app"],
  node: ["app", "node"],
  engine: ["app", "node", "engine"],
  main: ["app", "node", "main"],
  renderer: ["app", "renderer"],
  testing: ["app", "node", "engine", "main", "renderer", "testing"],
};
const TOOLING = ["e2e", "scripts"]; // may import every layer, like tests

function layerOf(absPath) {
  const rel = relative(ROOT, absPath);
  if (rel.startsWith("..")) return undefined;
  return rel.split(sep)[0];
}

const isTest = (file) => /\.test\.tsx?$/.test(file);

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: { description: "Enforce which layer (top-level folder) may import which." },
    messages: {
      forbidden: "Layer '{{from}}' may not import '{{to}}' ({{spec}}). Allowed: {{allowed}}. See scripts/lint/layers.js.",
    },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const from = layerOf(file);
    if (!from || TOOLING.includes(from) || !(from in LAYERS)) return {};
    const allowed = isTest(file) ? [...LAYERS[from], "testing"] : LAYERS[from];
    function check(node, spec) {
      if (typeof spec !== "string" || !spec.startsWith(".")) return;
      const to = layerOf(resolve(dirname(file), spec));
      // Data outside the code layers (resources/, package.json) is not a layer.
      if (!to || allowed.includes(to) || !(to in LAYERS || TOOLING.includes(to))) return;
      context.report({ node, messageId: "forbidden", data: { from, to, spec, allowed: allowed.join(", ") } });
    }
    const fromSource = (node) => node.source && check(node.source, node.source.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => node.source.type === "Literal" && check(node.source, node.source.value),
    };
  },
};

export default { rules: { imports: rule } };
