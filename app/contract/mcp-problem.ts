import { z } from "zod";
import { detailsReader } from "./error-details";
import { ValidationIssueSchema } from "./errors";

/** A problem with one mcp.json or one of its servers that did not stop the others. */
export const McpConfigProblemSchema = z.object({ file: z.string(), server: z.string().nullable(), message: z.string() });


const Server = z.string();

/**
 * Why an MCP call failed: `details` of the AppError main/agent/mcp produces, one shape per reason.
 * Strict, so a variant names every field it carries.
 */
export const McpProblemDetailsSchema = z.discriminatedUnion("reason", [
  /** agent.saveMcpConfig refused the file as a whole; each issue names the entry at fault. */
  z.strictObject({ reason: z.literal("bad_mcp_config"), issues: z.array(ValidationIssueSchema) }),
  /** Consent asked for a workspace with no usable .m2d/mcp.json. */
  z.strictObject({ reason: z.literal("no_workspace_mcp_config"), problems: z.array(McpConfigProblemSchema) }),
  /** The workspace's .m2d/mcp.json changed after it was shown for consent: review it again. */
  z.strictObject({ reason: z.literal("mcp_config_changed"), sha256: z.string() }),
  /** A server did not start. */
  z.strictObject({ reason: z.literal("unsandboxed_workspace_server") }),
  z.strictObject({ reason: z.literal("sandbox_unavailable"), detail: z.string() }),
  z.strictObject({ reason: z.literal("read_only_path_refused"), refused: z.array(z.object({ path: z.string(), reason: z.string() })) }),
  /** A tool call failed. */
  z.strictObject({ reason: z.literal("unknown_tool"), tool: z.string() }),
  z.strictObject({ reason: z.literal("mcp_unavailable"), tool: z.string() }),
  z.strictObject({ reason: z.literal("mcp_server_unavailable"), server: Server }),
  z.strictObject({ reason: z.literal("mcp_server_exited"), server: Server }),
  z.strictObject({ reason: z.literal("mcp_timeout"), server: Server }),
  z.strictObject({ reason: z.literal("mcp_error"), server: Server, mcpCode: z.number().int().optional() }),
  /** The server answered the call with isError. */
  z.strictObject({ reason: z.literal("mcp_tool_error"), server: Server }),
  z.strictObject({ reason: z.literal("aborted"), server: Server }),
]);
export type McpProblemDetails = z.infer<typeof McpProblemDetailsSchema>;
export type McpProblem = McpProblemDetails["reason"];

/** Every reason, in the schema's order. */
export const mcpProblems = McpProblemDetailsSchema.options.map((o) => o.shape.reason.value) as readonly McpProblem[];

/** The typed details of an MCP failure, or undefined for any other error (or details that do not parse). */
export const mcpProblemDetails = detailsReader(McpProblemDetailsSchema);
