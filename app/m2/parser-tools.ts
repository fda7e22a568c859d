import type { ToolDefinition } from "./types";

/** Looks up tools and their parameter schemas by name, safely for names like `constructor`. */
export interface ToolRegistry {
  /** Whether unknown tool names are errors: only when the caller gave a tool list. */
  readonly checksNames: boolean;
  has(tool: string): boolean;
  /** The property schema, or undefined for an unknown tool or parameter. */
  parameterSchema(tool: string, parameter: string): unknown;
}

function propertiesOf(tool: ToolDefinition): Record<string, unknown> {
  const properties = tool.function.parameters?.["properties"];
  return typeof properties === "object" && properties !== null && !Array.isArray(properties)
    ? (properties as Record<string, unknown>)
    : {};
}

export function createToolRegistry(tools: readonly ToolDefinition[] | undefined): ToolRegistry {
  const byName = new Map<string, Record<string, unknown>>();
  // The first definition of a name wins, as in the reference parser.
  for (const tool of tools ?? []) {
    if (!byName.has(tool.function.name)) byName.set(tool.function.name, propertiesOf(tool));
  }
  return {
    checksNames: tools !== undefined,
    has: (tool) => byName.has(tool),
    parameterSchema: (tool, parameter) => {
      const properties = byName.get(tool);
      return properties !== undefined && Object.hasOwn(properties, parameter) ? properties[parameter] : undefined;
    },
  };
}
