import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir, hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import type { DataFolderOwner } from "../../app/contract";
import { connectToOwner } from "./host-client";

// A stand-in host: a real WebSocket server on loopback that drops the connection on the first call, as a host
// that stops mid-command does. (Booting a whole `m2d serve` only to kill it is what data-folder.test.ts does.)
let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function droppingHost(): Promise<DataFolderOwner> {
  const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  server.on("connection", (socket) => socket.once("message", () => socket.terminate()));
  const dir = mkdtempSync(join(tmpdir(), "m2d-host-client-"));
  const tokenFile = join(dir, "token");
  writeFileSync(tokenFile, "launch-token");
  cleanup.push(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = server.address() as AddressInfo;
  return {
    pid: process.pid, kind: "serve", hostname: hostname(), startedAt: new Date().toISOString(), bootId: null, processStart: null, nonce: "n",
    host: { url: `http://127.0.0.1:${port}/`, tokenFile },
  };
}

describe("connectToOwner", () => {
  it("fails calls and tells its close listeners once the host drops the connection, instead of waiting forever", async () => {
    const host = await connectToOwner(await droppingHost());
    expect(host).not.toBeNull();
    const closed = new Promise<void>((resolve) => host!.onClose(resolve));
    await expect(host!.call("downloads.list", {})).rejects.toMatchObject({ code: "backend_unreachable" });
    await closed;
    // After the close: a call fails at once and a late listener still hears of it.
    await expect(host!.call("downloads.list", {})).rejects.toMatchObject({ code: "backend_unreachable" });
    let heard = false;
    host!.onClose(() => (heard = true));
    expect(heard).toBe(true);
  });
});
