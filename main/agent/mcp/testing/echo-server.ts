import { writeFileSync } from "node:fs";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createEchoServer } from "./echo-tools";

/** The stdio test server: `node <bundle>` speaks MCP on stdin/stdout; ECHO_PIDFILE names a file to write its pid to. */
const pidFile = process.env["ECHO_PIDFILE"];
if (pidFile) writeFileSync(pidFile, String(process.pid));
await createEchoServer().connect(new StdioServerTransport());
