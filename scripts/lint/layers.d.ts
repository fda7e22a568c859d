import type { ESLint } from "eslint";

export const LAYERS: Record<"app" | "node" | "engine" | "main" | "renderer" | "testing", string[]>;
declare const plugin: ESLint.Plugin;
export default plugin;
