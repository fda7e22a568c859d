import { toolDefinition } from "../../../../app/agent/tool-definitions";

export interface ToolCardView {
  /** The call writes files: once its change is known, the diff replaces the argument list. */
  writes: boolean;
  /** The workspace file it works on, from the argument its definition names. */
  path: string | undefined;
  /** A page it wrote can be previewed. */
  previewable: boolean;
}

/** What a tool call's card shows, from the tool's definition; an MCP tool has none, so it shows its arguments only. */
export function toolCardView(name: string, args: Readonly<Record<string, string>>, succeeded: boolean): ToolCardView {
  const definition = toolDefinition(name);
  const writes = definition?.changesFiles === true;
  const path = definition?.pathArg ? args[definition.pathArg] : undefined;
  return { writes, path, previewable: succeeded && writes && path !== undefined && /\.html?$/i.test(path) };
}
