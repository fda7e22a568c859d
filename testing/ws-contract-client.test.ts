// The renderer modules under test are typed against the DOM (WebSocket, Location), which the testing layer lacks.
/// <reference lib="dom" />
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import type { AppEvent } from "../app/contract";
import { ContractClient, type InvalidEventReport } from "../renderer/src/client/contract-client";
import { wsTransport } from "../renderer/src/client/ws-transport";

// The renderer's contract client over its real WebSocket transport (here, not in renderer/, whose layer has no
// Node types). A real WebSocket server stands in for the backend, so it can send frames the real host never would.
// The page's WebSocket is the `ws` package's client (Node 20 has no global WebSocket).
let server: WebSocketServer;
let url: string;
const connections: WebSocket[] = [];
let answer: (ws: WebSocket, request: { id: number; method: string }) => void = () => undefined;

beforeAll(async () => {
  (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise((resolve) => server.once("listening", resolve));
  url = `ws://127.0.0.1:${(server.address() as { port: number }).port}`;
  server.on("connection", (ws) => {
    connections.push(ws);
    ws.on("message", (data) => answer(ws, JSON.parse(String(data)) as { id: number; method: string }));
  });
});

afterAll(() => {
  for (const ws of server.clients) ws.terminate();
  server.close();
});

const download = (details: unknown) => ({
  id: "d1", ref: "hf:o/r:Q4_K_M", repo: "o/r", quant: "Q4_K_M", primaryPath: "/m/a.gguf", state: "failed",
  error: { code: "internal", message: "It failed.", details }, totalBytes: 10, bytesDone: 5, speedBps: 0, etaSeconds: null, files: [],
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe("the contract client over a WebSocket never drops a frame silently", () => {
  it("reports an event that fails the contract once, and still delivers the next valid ones", async () => {
    const reports: InvalidEventReport[] = [];
    const client = new ContractClient(wsTransport(url), { onInvalidEvent: (r) => reports.push(r) });
    const first: AppEvent[] = [];
    const second: AppEvent[] = [];
    client.onEvent((e) => first.push(e));
    client.onEvent((e) => second.push(e));
    await until(() => connections.length === 1);
    const ws = connections[0]!;

    // A download failure with a reason the contract does not know (an older or newer backend).
    ws.send(JSON.stringify({ type: "event", event: { type: "downloads.progress", download: download({ reason: "source_changed" }) } }));
    ws.send(JSON.stringify({ type: "event", event: { type: "library.changed" } }));
    const valid = download({ reason: "gated", repo: "o/r", status: 403 });
    ws.send(JSON.stringify({ type: "event", event: { type: "downloads.progress", download: valid } }));
    await until(() => first.length === 2);

    expect(first).toEqual([{ type: "library.changed" }, { type: "downloads.progress", download: valid }]);
    expect(second).toEqual(first);
    // Once per event, however many stores listen.
    expect(reports).toHaveLength(1);
    expect(reports[0]!.type).toBe("downloads.progress");
    expect(reports[0]!.issues.some((i) => i.path.join(".").startsWith("download.error"))).toBe(true);
    expect(client.invalidEventCount).toBe(1);
  });

  it("fails a call whose response cannot be read instead of leaving it waiting", async () => {
    answer = (ws, { id }) => ws.send(JSON.stringify({ type: "response", id, outcome: { ok: false, error: { code: "no_such_code", message: "?" } } }));
    const client = new ContractClient(wsTransport(url));
    await expect(client.call("health.get", {})).rejects.toMatchObject({ code: "internal", message: "The backend sent a response this window could not read." });
  });
});
