import { BrowserWindow, Menu, app, dialog, ipcMain, type IpcMainInvokeEvent } from "electron";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { AppError, type CallOutcome } from "../../app/contract";
import { createBackend, type Backend } from "../backend";
import { PRODUCT_NAME } from "../paths";
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from "./bridge";
import { notifyDownloads } from "./download-notifications";
import { hardenSession, hardenWebContents, isAppUrl } from "./security";
import { utilitySpawner } from "./utility-spawner";
import { startArtifactOrigin } from "../host/artifact-origin";
import { ARTIFACT_HOST } from "../../app/security-policy";
import { logUncaughtErrors, openAppLog } from "../log/app-log";
import { claimSingleInstance, closeBeforeQuit } from "./app-lifecycle";

const distRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const rendererIndex = join(distRoot, "renderer", "index.html");
const rendererIndexUrl = pathToFileURL(rendererIndex).href;

app.setName(PRODUCT_NAME);
app.enableSandbox();

let backend: Backend | undefined;
let mainWindow: BrowserWindow | undefined;

function registerIpc(current: Backend): void {
  ipcMain.handle(IPC_INVOKE_CHANNEL, async (event: IpcMainInvokeEvent, payload: unknown): Promise<CallOutcome> => {
    // Only our own top-level renderer may call the backend.
    const frameUrl = event.senderFrame?.url ?? "";
    if (!isAppUrl(frameUrl, rendererIndexUrl) || event.senderFrame?.parent) {
      return { ok: false, error: new AppError("unauthorized", "IPC from an untrusted frame.").toData() };
    }
    const { method, params } = (payload ?? {}) as { method?: unknown; params?: unknown };
    return current.dispatch(method, params, { transport: "electron" });
  });
}

function createWindow(current: Backend): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: PRODUCT_NAME,
    show: false,
    webPreferences: {
      preload: join(distRoot, "main", "electron", "preload.cjs"),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  hardenWebContents(window.webContents, rendererIndexUrl);
  const unsubscribe = current.events.subscribe((event) => {
    if (!window.isDestroyed()) window.webContents.send(IPC_EVENT_CHANNEL, event);
  });
  window.on("closed", unsubscribe);
  window.once("ready-to-show", () => window.show());
  void window.loadFile(rendererIndex);
  return window;
}

function startApp(): void {
  void app.whenReady().then(whenReady);
  app.on("window-all-closed", () => {
    if (process.platform !== "darwin") app.quit();
  });
}

async function whenReady(): Promise<void> {
  hardenSession();
  // Agent-written pages preview from their own loopback origin, as in the headless host. The app is
  // file://, which no frame-ancestors source can name: the unguessable token is the only way in.
  const artifacts = await startArtifactOrigin({ host: ARTIFACT_HOST, appOrigin: () => null });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      ...(process.platform === "darwin" ? [{ role: "appMenu" as const }] : []),
      { role: "fileMenu" },
      { role: "editMenu" },
      { role: "viewMenu" },
      { role: "windowMenu" },
    ]),
  );
  const dataDir = process.env.M2D_DATA_DIR ?? app.getPath("userData");
  const { log } = openAppLog(dataDir);
  logUncaughtErrors(log);
  try {
    backend = createBackend({
      dataDir,
      log,
      ownerKind: "electron",
      spawnEngine: utilitySpawner(join(distRoot, "engine", "main.js")),
      sqliteNativeBinding: process.env.M2D_SQLITE_BINDING,
      artifacts,
      pickFolder: async () => {
        const options = { title: "Choose the agent's workspace folder", properties: ["openDirectory" as const] };
        const parent = BrowserWindow.getFocusedWindow();
        const picked = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
        return picked.canceled ? null : (picked.filePaths[0] ?? null);
      },
    });
  } catch (error) {
    // Another owner on this folder (`m2d serve`, or an app started with the same M2D_DATA_DIR): say so and quit.
    dialog.showErrorBox(PRODUCT_NAME, AppError.from(error).message);
    await artifacts.close();
    app.exit(1);
    return;
  }
  const current = backend;
  closeBeforeQuit(app, () => current.close(), log);
  registerIpc(current);
  notifyDownloads(current.downloads);
  // The local API server, when the user turned it on (the Server page); a failure shows there.
  void current.apiServer.resume();
  mainWindow = createWindow(current);
  app.on("activate", () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow(current);
  });
}

// A second launch focuses this one's window and quits: two backends must never share the data folder.
if (claimSingleInstance(app, () => mainWindow)) startApp();
