import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { headBytes, RESULT_CAP_BYTES, truncationMarker } from "../tools/truncate";

type ContentBlock = CallToolResult["content"][number];

function base64Bytes(data: string): number {
  return Math.floor((data.length * 3) / 4) - (data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0);
}

/** Text goes to the model as is; what it cannot read (images, audio, binary resources) is named and sized. */
function blockText(block: ContentBlock): string {
  switch (block.type) {
    case "text":
      return block.text;
    case "image":
      return `[image: ${block.mimeType}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "audio":
      return `[audio: ${block.mimeType}, ${base64Bytes(block.data)} bytes, not shown]`;
    case "resource": {
      const { resource } = block;
      if ("text" in resource && typeof resource.text === "string") return `[resource ${resource.uri}]\n${resource.text}`;
      const size = "blob" in resource && typeof resource.blob === "string" ? `, ${base64Bytes(resource.blob)} bytes` : "";
      return `[resource ${resource.uri}${resource.mimeType ? ` (${resource.mimeType})` : ""}${size}, binary, not shown]`;
    }
    case "resource_link":
      return `[resource link: ${block.uri}${block.name ? ` (${block.name})` : ""}]`;
    default:
      return `[${(block as { type: string }).type} content, not shown]`;
  }
}

/** A tool result as the model reads it, capped like every other tool's output. */
export function mcpResultText(result: CallToolResult): string {
  const parts = result.content.map(blockText);
  if (parts.length === 0 && result.structuredContent !== undefined) parts.push(JSON.stringify(result.structuredContent, null, 2));
  const text = parts.join("\n");
  const { head, omittedBytes } = headBytes(text === "" ? "(the tool returned no content)" : text, RESULT_CAP_BYTES);
  return omittedBytes > 0 ? `${head}\n${truncationMarker(omittedBytes, "the MCP tool's output was cut; ask it for less (a narrower query or a page)")}` : head;
}
