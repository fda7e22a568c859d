import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { AppError } from "../../app/contract";
import { ARTIFACT_HOST } from "../../app/security-policy";
import { createBackend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { newLaunchToken } from "../host/auth";
import { startHost } from "../host/server";
import { startArtifactOrigin } from "../host/artifact-origin";
import { defaultDataDir } from "../paths";
import { logUncaughtErrors, openAppLog } from "../log/app-log";
import { distPath } from "./dist-paths";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1|\[::1\])$/;

function openBrowser(url: string): void {
  const command = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(command, [url], { stdio: "ignore", detached: true });
  child.on("error", () => undefined); // no browser here: the printed URL is enough
  child.unref();
}

/** `m2d serve`: the headless host, the same backend the Electron app runs. */
export async function serveCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: "string", default: "0" },
      host: { type: "string", default: "127.0.0.1" },
      "data-dir": { type: "string" },
      open: { type: "boolean", default: false },
    },
    strict: true,
  });
  if (!LOOPBACK.test(values.host)) {
    throw new AppError("bad_request", `Refusing to listen on ${values.host}: the headless host serves loopback only.`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new AppError("bad_request", `Invalid --port ${values.port}.`);

  const dataDir = values["data-dir"] ?? defaultDataDir();
  const appLog = openAppLog(dataDir);
  logUncaughtErrors(appLog.log);
  const token = newLaunchToken();
  appLog.addSecret(token);
  let appOrigin = "";
  const artifacts = await startArtifactOrigin({ host: ARTIFACT_HOST, appOrigin: () => appOrigin });
  const backend = createBackend({ dataDir, spawnEngine: forkSpawner(distPath("engine/main.js")), artifacts, log: appLog.log });
  const host = await startHost({ backend, rendererDir: distPath("renderer"), token, host: values.host, port, frameOrigins: [artifacts.origin] });
  appOrigin = new URL(host.url).origin;

  console.log(`M2 Desktop is serving its UI at ${host.url}`);
  console.log(`Data: ${dataDir}`);
  if (values.open) openBrowser(host.url);

  let closing = false;
  const shutdown = async () => {
    if (closing) return;
    closing = true;
    await host.close();
    await artifacts.close();
    await backend.close();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}
