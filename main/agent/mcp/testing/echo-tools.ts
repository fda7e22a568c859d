import { readFile, writeFile } from "node:fs/promises";
import { resolve } from "node:path";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";

/** The test servers' tools: echo (read-only), write (a file, to probe the sandbox), crash, slow, picture. */
export function createEchoServer(): McpServer {
  const server = new McpServer({ name: "m2d-echo", version: "1.0.0" });
  server.registerTool(
    "echo",
    { description: "Returns the text it was given.", inputSchema: { text: z.string() }, annotations: { readOnlyHint: true } },
    async ({ text }) => ({ content: [{ type: "text", text: `echo: ${text}` }] }),
  );
  server.registerTool(
    "write",
    { description: "Writes content to a path (relative to the server's working folder).", inputSchema: { path: z.string(), content: z.string() } },
    async ({ path, content }) => {
      const target = resolve(process.cwd(), path);
      try {
        await writeFile(target, content);
        return { content: [{ type: "text", text: `wrote ${target}` }] };
      } catch (error) {
        return { content: [{ type: "text", text: `cannot write ${target}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` }], isError: true };
      }
    },
  );
  server.registerTool("crash", { description: "Exits the server process at once." }, async () => {
    process.exit(3);
  });
  server.registerTool("slow", { description: "Answers after ms milliseconds.", inputSchema: { ms: z.number() } }, async ({ ms }) => {
    await new Promise((done) => setTimeout(done, ms));
    return { content: [{ type: "text", text: "finally" }] };
  });
  server.registerTool("picture", { description: "Returns an image and some text.", annotations: { readOnlyHint: true } }, async () => ({
    content: [
      { type: "text", text: "a red dot:" },
      { type: "image", mimeType: "image/png", data: Buffer.alloc(300, 1).toString("base64") },
    ],
  }));
  server.registerTool("env", { description: "Returns the server's environment variable names.", annotations: { readOnlyHint: true } }, async () => ({
    content: [{ type: "text", text: Object.keys(process.env).sort().join(",") }],
  }));
  server.registerTool("confinement", { description: "Returns the seccomp and capability lines of /proc/self/status and its pids cgroup.", annotations: { readOnlyHint: true } }, async () => {
    const status = await readFile("/proc/self/status", "utf8");
    const cgroups = await readFile("/proc/self/cgroup", "utf8");
    const lines = [...status.split("\n").filter((l) => /^(Seccomp|CapEff|NoNewPrivs):/.test(l)), ...cgroups.split("\n").filter((l) => /pids/.test(l))];
    return { content: [{ type: "text", text: lines.join("\n") }] };
  });
  return server;
}
