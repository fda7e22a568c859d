import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { startHost, type RunningHost } from "./server";

const TOKEN = "test-token-123";
let dir: string;
let backend: Backend;
let host: RunningHost;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "m2d-host-"));
  const rendererDir = join(dir, "renderer");
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, "index.html"), "<!doctype html><title>ok</title>");
  writeFileSync(join(dir, "secret.txt"), "outside");
  backend = createBackend({
    dataDir: join(dir, "data"),
    spawnEngine: forkSpawner(join(import.meta.dirname, "..", "engine", "fixtures", "fake-engine.mjs")),
    log: () => undefined,
  });
  host = await startHost({ backend, rendererDir, token: TOKEN });
});

afterAll(async () => {
  await host.close();
  await backend.close();
  rmSync(dir, { recursive: true, force: true });
});

function get(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: host.port, path, headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on("error", reject);
    req.end();
  });
}

function connect(query = `?token=${TOKEN}`, headers: Record<string, string> = {}) {
  return new WebSocket(`ws://127.0.0.1:${host.port}/ws${query}`, { headers });
}

function rpc(ws: WebSocket, frame: string): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(String(data));
      if (message.type !== "response") return;
      ws.off("message", onMessage);
      resolve(message);
    };
    ws.on("message", onMessage);
    ws.send(frame);
  });
}

function opened(ws: WebSocket) {
  return new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
}

function upgradeRejection(ws: WebSocket) {
  return new Promise<{ status: number; body: string }>((resolve) => {
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on("error", () => undefined);
  });
}

describe("headless host (real HTTP and WebSocket)", () => {
  it("serves the renderer with the token and a strict CSP, and sets the token cookie", async () => {
    const res = await get(`/?token=${TOKEN}`);
    expect(res.status).toBe(200);
    expect(res.body).toContain("<title>ok</title>");
    expect(String(res.headers["content-security-policy"])).toContain("script-src 'self'");
    expect(String(res.headers["set-cookie"])).toContain("HttpOnly");
    expect((await get("/index.html", { cookie: `m2d_token=${TOKEN}` })).status).toBe(200);
  });

  it("refuses HTTP without the token, with a typed error", async () => {
    const res = await get("/");
    expect(res.status).toBe(401);
    expect(JSON.parse(res.body)).toMatchObject({ code: "unauthorized" });
    expect((await get("/?token=wrong")).status).toBe(401);
  });

  it("refuses a foreign Host header (DNS rebinding)", async () => {
    const res = await get(`/?token=${TOKEN}`, { host: "evil.example:80" });
    expect(res.status).toBe(403);
  });

  it("never serves files outside the renderer folder", async () => {
    for (const path of ["/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/%00"]) {
      const res = await get(`${path}?token=${TOKEN}`);
      expect(res.status, path).toBe(404);
      expect(res.body).not.toContain("outside");
    }
  });

  it("refuses a WebSocket without the token, or from a foreign Origin, with a typed error", async () => {
    const noToken = await upgradeRejection(connect(""));
    expect(noToken.status).toBe(401);
    expect(JSON.parse(noToken.body)).toMatchObject({ code: "unauthorized" });
    const foreign = await upgradeRejection(connect(`?token=${TOKEN}`, { origin: "https://evil.example" }));
    expect(foreign.status).toBe(403);
  });

  it("answers malformed JSON and invalid contract input with typed errors and keeps serving", async () => {
    const ws = connect();
    await opened(ws);
    expect(await rpc(ws, "{not json")).toMatchObject({ id: null, outcome: { ok: false, error: { code: "bad_request" } } });
    expect(await rpc(ws, JSON.stringify({ method: "health.get" }))).toMatchObject({ outcome: { ok: false, error: { code: "bad_request" } } });
    expect(await rpc(ws, JSON.stringify({ id: 1, method: "engine.echo", params: { text: 42 } }))).toMatchObject({
      id: 1,
      outcome: { ok: false, error: { code: "bad_request" } },
    });
    expect(await rpc(ws, JSON.stringify({ id: 2, method: "shell.exec", params: {} }))).toMatchObject({
      outcome: { ok: false, error: { code: "unknown_method" } },
    });
    const ok = await rpc(ws, JSON.stringify({ id: 3, method: "engine.echo", params: { text: "still here" } }));
    expect(ok).toMatchObject({ id: 3, outcome: { ok: true, result: { text: "still here" } } });
    ws.close();
  });

  it("pushes engine status events to connected clients when the engine restarts", async () => {
    const ws = connect();
    await opened(ws);
    const events: Array<{ status: { state: string; restarts: number } }> = [];
    ws.on("message", (data) => {
      const message = JSON.parse(String(data));
      if (message.type === "event") events.push(message.event);
    });
    const pid = backend.engine.getStatus().pid!;
    process.kill(pid, "SIGKILL");
    const deadline = Date.now() + 5_000;
    while (!events.some((e) => e.status.state === "ready" && e.status.restarts >= 1) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(events.map((e) => e.status.state)).toEqual(expect.arrayContaining(["crashed", "starting", "ready"]));
    expect(events.at(-1)?.status).toMatchObject({ state: "ready", restarts: 1 });
    ws.close();
  });
});
