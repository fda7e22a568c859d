import { DEFAULT_API_PORT } from "../api/server";
import { defineCommand } from "./command-spec";

/** `m2d serve`'s flags: serve.ts parses these, `m2d serve --help` prints them. */
export const serveSpec = defineCommand({
  name: "serve",
  summary: "serve the UI headless at http://127.0.0.1:<port>/?token=… (the same backend as the app), optionally the local API",
  positionals: "",
  details: "--model is a GGUF file or a library name (owner/repo:QUANT, see m2d models).",
  options: {
    port: { type: "string", default: "0", value: "N", help: "the UI's port (0: any free port)" },
    host: { type: "string", default: "127.0.0.1", value: "ADDRESS", help: "the address to listen on (loopback only)" },
    "data-dir": { type: "string", value: "DIR", help: "the data folder (default: the app's, or $M2D_DATA_DIR)" },
    open: { type: "boolean", default: false, help: "open the UI in the browser" },
    // The local OpenAI/Anthropic API (off unless asked for): --api on LM Studio's port, or --api-port N.
    api: { type: "boolean", default: false, help: `also serve the OpenAI- and Anthropic-compatible API on port ${DEFAULT_API_PORT}` },
    "api-port": { type: "string", value: "N", help: "serve the API on port N (implies --api)" },
    "api-key": { type: "string", value: "KEY", help: "the key API requests must send for this run (default: $M2D_API_KEY, else the per-install key)" },
    model: { type: "string", value: "MODEL", help: "load this model at start: a GGUF file or a library name" },
    ctx: { type: "string", value: "N", help: "the context size for --model, in tokens" },
  },
});
