import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { readBody, send } from "./http";

const servers: http.Server[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
});

describe("send", () => {
  it("retries once on a fresh socket when the server resets a reused keep-alive socket", async () => {
    // The second request on any connection gets a reset instead of an answer, as when a
    // server's keep-alive timeout fires just as the client reuses the socket.
    const seen = new WeakMap<object, number>();
    let connections = 0;
    const server = http.createServer((req, res) => {
      const n = (seen.get(req.socket) ?? 0) + 1;
      seen.set(req.socket, n);
      if (n > 1) return void req.socket.destroy();
      res.end("ok");
    });
    server.on("connection", () => connections++);
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api`);
    expect((await readBody(await send(url))).toString()).toBe("ok");
    expect((await readBody(await send(url))).toString()).toBe("ok");
    expect(connections).toBe(2);
  });
});
