import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createEchoServer } from "./echo-tools";

/** The stdio test server: `node <bundle>` speaks MCP on stdin/stdout. */
await createEchoServer().connect(new StdioServerTransport());
