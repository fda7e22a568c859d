import { z } from "zod";
import { AGENT_TOOLS, TOOL_NAMES } from "../../../app/agent/tool-definitions";
import type { AgentToolName } from "../../../app/agent/types";

export type { ToolArgs } from "../../../app/agent/tool-definitions";

/** The model-facing definitions, in the OpenAI-style shape M2's chat template takes. */
export interface M2ToolDefinition {
  type: "function";
  function: { name: AgentToolName; description: string; parameters: Record<string, unknown> };
}

function parameters(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>;
  return rest;
}

/** The built-in tools as the prompt lists them, in AGENT_TOOLS's order, from their one definition. */
export const TOOL_DEFINITIONS: M2ToolDefinition[] = TOOL_NAMES.map((name) => ({
  type: "function",
  function: { name, description: AGENT_TOOLS[name].description, parameters: parameters(AGENT_TOOLS[name].args) },
}));
