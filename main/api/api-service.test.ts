import { mkdtempSync, rmSync } from "node:fs";
import { get } from "node:http";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createBackend, type Backend } from "../backend";
import { forkSpawner } from "../engine/fork-spawner";
import { ENGINE_BUNDLE, TEST_ENGINE_ENV } from "../../testing/engine-harness";

// The API server as a setting of the app: the per-install key, on/off and port, the start with the host, LAN bind, failures. Real backend, SQLite and HTTP.

const dataDir = mkdtempSync(join(tmpdir(), "m2d-api-service-"));
const open = () => createBackend({ dataDir, spawnEngine: forkSpawner(ENGINE_BUNDLE, TEST_ENGINE_ENV), log: () => undefined });
let backend: Backend;

beforeAll(() => {
  backend = open();
});
afterAll(async () => {
  await backend?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const models = (baseUrl: string, headers: Record<string, string> = {}) => fetch(`${baseUrl}/models`, { headers });

/** A raw GET with a Host header of our choosing (fetch cannot set one). */
function statusWithHost(port: number, host: string, key: string): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path: "/v1/models", headers: { Host: host, Authorization: `Bearer ${key}` } }, (response) => {
      response.resume();
      resolve(response.statusCode);
    }).on("error", reject);
  });
}

describe("the API server service", () => {
  it("is off by default, with a random per-install key that stays the same", () => {
    const first = backend.apiServer.status();
    expect(first).toMatchObject({ state: "off", baseUrl: null, keySource: "settings", settings: { enabled: false, port: 1234, bind: "loopback" } });
    expect(first.key).toMatch(/^m2d-[\w-]{32}$/);
    expect(backend.apiServer.status().key).toBe(first.key);
  });

  it("requires the key on every request, as a Bearer token or x-api-key; a regenerated key refuses the old one at once", async () => {
    const status = await backend.apiServer.update({ enabled: true, port: 0 });
    expect(status.state).toBe("listening");
    const baseUrl = status.baseUrl!;
    expect(baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1$/);

    const none = await models(baseUrl);
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ error: { type: "authentication_error", code: "unauthorized" } });
    expect((await models(baseUrl, { Authorization: `Bearer ${status.key}` })).status).toBe(200);
    expect((await models(baseUrl, { "x-api-key": status.key })).status).toBe(200);
    expect((await models(baseUrl, { "x-api-key": `${status.key}x` })).status).toBe(401);

    const renewed = backend.apiServer.regenerateKey();
    expect(renewed.key).not.toBe(status.key);
    expect(renewed.baseUrl).toBe(baseUrl); // the same server, no restart
    expect((await models(baseUrl, { Authorization: `Bearer ${status.key}` })).status).toBe(401);
    expect((await models(baseUrl, { Authorization: `Bearer ${renewed.key}` })).status).toBe(200);
  });

  it("logs each request with its endpoint and status", async () => {
    const { baseUrl, key } = backend.apiServer.status();
    await models(baseUrl!, { "x-api-key": key });
    await models(baseUrl!);
    const last = backend.apiServer.requests.list().slice(-2);
    expect(last).toMatchObject([
      { endpoint: "models", method: "GET", path: "/v1/models", state: "done", status: 200 },
      { endpoint: "models", state: "failed", status: 401, error: expect.stringMatching(/API key/) as unknown },
    ]);
  });

  it("a LAN bind still requires the key; the Host check passes this machine's addresses, not names", async () => {
    const status = await backend.apiServer.update({ bind: "lan" });
    expect(status).toMatchObject({ state: "listening", settings: { bind: "lan" } });
    const port = Number(new URL(status.baseUrl!).port);
    expect(await statusWithHost(port, `192.168.1.20:${port}`, status.key)).toBe(200);
    expect(await statusWithHost(port, `192.168.1.20:${port}`, "wrong")).toBe(401);
    expect(await statusWithHost(port, `evil.example:${port}`, status.key)).toBe(403);
    await backend.apiServer.update({ bind: "loopback" });
    const loopbackPort = Number(new URL(backend.apiServer.status().baseUrl!).port);
    expect(await statusWithHost(loopbackPort, `192.168.1.20:${loopbackPort}`, status.key)).toBe(403);
  });

  it("a port in use is a failed status saying so, and the server is off", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const taken = (blocker.address() as { port: number }).port;
    try {
      const status = await backend.apiServer.update({ port: taken });
      expect(status).toMatchObject({ state: "failed", baseUrl: null, error: { reason: "port_in_use" } });
    } finally {
      blocker.close();
    }
  });

  it("starts with the next host on the same data folder when enabled, with the same key", async () => {
    const { key } = await backend.apiServer.update({ port: 0 });
    expect(backend.apiServer.status().state).toBe("listening");
    await backend.close();
    backend = open();
    expect(backend.apiServer.status().state).toBe("off"); // a backend alone (a CLI command) never starts it
    await backend.apiServer.resume(); // what the app and m2d serve do at start
    expect(backend.apiServer.status().state).toBe("listening");
    expect(backend.apiServer.status().key).toBe(key);
    expect((await models(backend.apiServer.status().baseUrl!, { "x-api-key": key })).status).toBe(200);

    const off = await backend.apiServer.update({ enabled: false });
    expect(off).toMatchObject({ state: "off", baseUrl: null });
  });

  it("m2d serve --api: listens whatever the settings say, with the run's key; regenerating replaces that key too", async () => {
    const stored = backend.apiServer.status().key;
    const status = await backend.apiServer.startForRun({ port: 0, key: "run-key-0123456789abcdef" });
    expect(status).toMatchObject({ state: "listening", keySource: "override", key: "run-key-0123456789abcdef", settings: { enabled: false } });
    expect((await models(status.baseUrl!, { "x-api-key": stored })).status).toBe(401);
    expect((await models(status.baseUrl!, { "x-api-key": "run-key-0123456789abcdef" })).status).toBe(200);
    const renewed = backend.apiServer.regenerateKey();
    expect(renewed.keySource).toBe("settings");
    expect((await models(status.baseUrl!, { "x-api-key": "run-key-0123456789abcdef" })).status).toBe(401);
    expect((await models(status.baseUrl!, { "x-api-key": renewed.key })).status).toBe(200);
    // Turned off in the UI: off, though the command line asked for it.
    expect(await backend.apiServer.update({ enabled: false })).toMatchObject({ state: "off" });
  });

  it("m2d serve --api on a port in use throws (the command exits) and says so in the status", async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    try {
      await expect(backend.apiServer.startForRun({ port: (blocker.address() as { port: number }).port })).rejects.toMatchObject({ code: "EADDRINUSE" });
      expect(backend.apiServer.status()).toMatchObject({ state: "failed", error: { reason: "port_in_use" } });
    } finally {
      blocker.close();
      await backend.apiServer.update({ enabled: false });
    }
  });

  it("the contract: apiServer.* through the router, bad input refused with a typed error", async () => {
    const context = { transport: "cli" as const };
    expect(await backend.dispatch("apiServer.status", {}, context)).toMatchObject({ ok: true, result: { state: "off" } });
    expect(await backend.dispatch("apiServer.update", { port: 70_000 }, context)).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect(await backend.dispatch("apiServer.update", { bind: "everywhere" }, context)).toMatchObject({ ok: false, error: { code: "bad_request" } });
    expect(await backend.dispatch("apiServer.cancelRequest", { id: "nope" }, context)).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(backend.apiServer.settings()).toMatchObject({ enabled: false, bind: "loopback" });
  });
});
