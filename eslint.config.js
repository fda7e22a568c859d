import js from "@eslint/js";
import tseslint from "typescript-eslint";
import globals from "globals";
import layers from "./scripts/lint/layers.js";
import reactHooks from "eslint-plugin-react-hooks";

const nodeBuiltins = ["node:*", "fs", "fs/*", "path", "os", "child_process", "crypto", "http", "https", "net", "url", "util", "stream", "events", "worker_threads", "zlib", "buffer", "process"];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "test-results/**", "playwright-report/**", ".cache/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Which layer may import which: scripts/lint/layers.js.
    files: ["{app,node,engine,main,renderer,testing}/**/*.{ts,tsx}"],
    plugins: { layers },
    rules: { "layers/imports": "error" },
  },
  {
    // app/ is the shared, pure layer: it must run in the renderer, main and engine alike.
    files: ["app/**/*.ts"],
    ignores: ["app/**/*.test.ts"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "electron", message: "app/ is pure TypeScript: no electron." }],
        patterns: [
          { group: nodeBuiltins, message: "app/ is pure TypeScript: no node built-ins." },
          { group: ["node-llama-cpp", "better-sqlite3", "ws"], message: "app/ depends on nothing but itself and zod." },
        ],
      }],
    },
  },
  {
    // Hooks in the same order on every render: a hook after an early return blanked the Server page once.
    files: ["renderer/**/*.tsx", "renderer/**/*.ts"],
    plugins: { "react-hooks": reactHooks },
    rules: { "react-hooks/rules-of-hooks": "error" },
  },
  {
    // The renderer reaches the backend only through the contract client.
    files: ["renderer/**/*.{ts,tsx}"],
    rules: {
      "no-restricted-imports": ["error", {
        paths: [{ name: "electron", message: "The renderer talks to the backend only through the contract client." }],
        patterns: [{ group: nodeBuiltins, message: "The renderer talks to the backend only through the contract client." }],
      }],
    },
  },
  {
    files: ["**/*.mjs", "bin/**/*.js", "scripts/**"],
    languageOptions: { globals: globals.node },
  },
);
