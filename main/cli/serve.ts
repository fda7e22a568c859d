import { spawn } from "node:child_process";
import { AppError } from "../../app/contract";
import { ARTIFACT_HOST } from "../../app/security-policy";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { newLaunchToken } from "../host/auth";
import { startHost } from "../host/server";
import { startArtifactOrigin } from "../host/artifact-origin";
import { defaultDataDir } from "../paths";
import { logUncaughtErrors, openAppLog } from "../log/app-log";
import { parseCommandArgs } from "./command-spec";
import { distPath } from "./dist-paths";
import { resolveModelArg } from "./library-names";
import { serveSpec } from "./serve-spec";
import { DEFAULT_API_PORT } from "../api/server";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () => undefined); // no browser here: the printed URL is enough
  child.unref();
}

/** `m2d serve`: the headless host, the same backend the Electron app runs. */
export async function serveCommand(argv: string[]): Promise<void> {
  // The flags and their help are one table (serve-spec.ts).
  const { values } = parseCommandArgs(serveSpec, argv);
  if (!LOOPBACK.test(values.host)) {
    throw new AppError("bad_request", `Refusing to listen on ${values.host}: the headless host serves loopback only.`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError("bad_request", `Invalid --port ${values.port}.`);

  const apiPort = values["api-port"] !== undefined ? Number(values["api-port"]) : values.api ? DEFAULT_API_PORT : undefined;
  if (apiPort !== undefined && (!Number.isInteger(apiPort) || apiPort < 0 || apiPort > 65535)) throw new AppError("bad_request", `Invalid --api-port ${values["api-port"]}.`);
  const contextSize = values.ctx !== undefined ? Number(values.ctx) : undefined;
  if (contextSize !== undefined && !Number.isInteger(contextSize)) throw new AppError("bad_request", `Invalid --ctx ${values.ctx}.`);
  const apiKey = values["api-key"] ?? process.env.M2D_API_KEY;

  const dataDir = values["data-dir"] ?? defaultDataDir();
  const appLog = openAppLog(dataDir);
  logUncaughtErrors(appLog.log);
  const token = newLaunchToken();
  appLog.addSecret(token);
  let appOrigin = "";
  const artifacts = await startArtifactOrigin({ host: ARTIFACT_HOST, appOrigin: () => appOrigin });
  let backend: Backend;
  try {
    // A second host on the same folder refuses here (data_dir_in_use), before it serves anything.
    backend = createBackend({ dataDir, ownerKind: "serve", spawnEngine: forkSpawner(distPath("engine/main.js")), artifacts, log: appLog.log });
  } catch (error) {
    await artifacts.close();
    throw error;
  }
  const host = await startHost({ backend, rendererDir: distPath("renderer"), token, host: values.host, port, frameOrigins: [artifacts.origin] });
  appOrigin = new URL(host.url).origin;
  // `m2d pull` and friends find the running host through the lock.
  backend.dataLock.advertise({ url: `${appOrigin}/`, token });

  console.log(`M2 Desktop is serving its UI at ${host.url}`);
  console.log(`Data: ${dataDir}`);
  const closeAll = async () => {
    await host.close();
    await artifacts.close();
    await backend.close();
  };
  try {
    if (values.model) {
      const loaded = await backend.models.load(resolveModelArg(values.model, dataDir), contextSize !== undefined ? { contextSize } : {});
      console.log(`Model: ${loaded.report.path} (context ${loaded.contextSize})`);
    }
    if (apiPort !== undefined) {
      // The per-install key unless this run sets one; required on every request either way.
      const api = await backend.apiServer.startForRun({ port: apiPort, ...(apiKey ? { key: apiKey } : {}) });
      appLog.addSecret(api.key);
      console.log(`API: ${api.baseUrl} (OpenAI and Anthropic compatible)`);
      console.log(`API key: ${api.key}`);
    } else {
      // Turned on in the app (the Server page): it starts with the host too.
      const api = await backend.apiServer.resume();
      if (api.baseUrl) console.log(`API: ${api.baseUrl} (OpenAI and Anthropic compatible; the key is on the Server page)`);
    }
  } catch (error) {
    // A --model that does not load or an --api port in use ends the host: left open, it kept serving after the error.
    await closeAll();
    throw error;
  }
  if (values.open) openBrowser(host.url);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await closeAll();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
