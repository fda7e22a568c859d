import { describe, expect, it } from "vitest";
import type { AppEvent } from "../../../app/contract";
import { useToastStore } from "../stores/toast-store";
import { ContractClient, type InvalidEventReport } from "./contract-client";
import { noticeInvalidEvent } from "./invalid-event-notice";
import { ipcTransport } from "./ipc-transport";

/** A double of window.m2d, the Electron preload's bridge (Electron's binary is absent here): it only relays events. */
function preloadBridgeDouble() {
  const listeners = new Set<(event: unknown) => void>();
  return {
    bridge: {
      call: () => Promise.resolve({ ok: true as const, result: {} }),
      onEvent(listener: (event: unknown) => void) {
        listeners.add(listener);
        return () => void listeners.delete(listener);
      },
    },
    send: (event: unknown) => listeners.forEach((l) => l(event)),
    subscriptions: () => listeners.size,
  };
}

describe("the contract client never drops an event silently", () => {
  it("reports an event that fails the contract once, and still delivers the next valid one to every listener", () => {
    const preload = preloadBridgeDouble();
    const reports: InvalidEventReport[] = [];
    const client = new ContractClient(ipcTransport(preload.bridge), { onInvalidEvent: (r) => reports.push(r) });
    const first: AppEvent[] = [];
    const second: AppEvent[] = [];
    client.onEvent((e) => first.push(e));
    client.onEvent((e) => second.push(e));

    preload.send({ type: "engine.status", status: { state: "spinning" } });
    preload.send({ noType: true });
    preload.send({ type: "library.changed" });

    expect(first).toEqual([{ type: "library.changed" }]);
    expect(second).toEqual(first);
    expect(reports.map((r) => r.type)).toEqual(["engine.status", "(no type)"]);
    expect(reports[0]!.issues.length).toBeGreaterThan(0);
    expect(reports[0]!.issues.every((i) => Array.isArray(i.path) && typeof i.message === "string")).toBe(true);
    expect(client.invalidEventCount).toBe(2);
  });

  it("subscribes to the transport once for all its listeners, and lets go with the last", () => {
    const preload = preloadBridgeDouble();
    const client = new ContractClient(ipcTransport(preload.bridge));
    const offA = client.onEvent(() => undefined);
    const offB = client.onEvent(() => undefined);
    expect(preload.subscriptions()).toBe(1);
    offA();
    expect(preload.subscriptions()).toBe(1);
    offB();
    expect(preload.subscriptions()).toBe(0);
    client.onEvent(() => undefined);
    expect(preload.subscriptions()).toBe(1);
  });
});

describe("the notice for an unreadable event", () => {
  it("shows one quiet toast per event type, with a reload action", () => {
    const count = () => useToastStore.getState().toasts.length;
    const start = count();
    noticeInvalidEvent({ type: "chat.delta", issues: [] });
    noticeInvalidEvent({ type: "chat.delta", issues: [] });
    expect(count()).toBe(start + 1);
    const toast = useToastStore.getState().toasts.at(-1)!;
    expect(toast).toMatchObject({ kind: "info", text: "The backend sent an event this window could not read (chat.delta); reload the window." });
    expect(toast.action?.label).toBe("Reload");
    noticeInvalidEvent({ type: "engine.status", issues: [] });
    expect(count()).toBe(start + 2);
  });
});
