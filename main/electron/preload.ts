import { contextBridge, ipcRenderer, type IpcRendererEvent } from "electron";
import { isMethodName } from "../../app/contract/api";
import { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL, type RendererBridge } from "./bridge";

/** Exposes the contract, and only the contract: contract methods in, contract events out. */
const bridge: RendererBridge = {
  call(method, params) {
    if (!isMethodName(method)) {
      return Promise.resolve({ ok: false, error: { code: "unknown_method", message: `Unknown method: ${String(method)}` } });
    }
    return ipcRenderer.invoke(IPC_INVOKE_CHANNEL, { method, params });
  },
  onEvent(listener) {
    const handler = (_event: IpcRendererEvent, payload: unknown) => listener(payload);
    ipcRenderer.on(IPC_EVENT_CHANNEL, handler);
    return () => ipcRenderer.removeListener(IPC_EVENT_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld("m2d", bridge);
