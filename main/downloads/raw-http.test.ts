import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fetchChunk } from "./chunk-fetch";
import { FileWriter } from "./file-writer";
import { HubClient } from "./hub-client";
import { rawGet, type RawResponse } from "./raw-http";
import { TokenBucket } from "./token-bucket";

const dir = mkdtempSync(join(tmpdir(), "m2d-raw-"));
const servers: Array<http.Server | https.Server> = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))));
  rmSync(dir, { recursive: true, force: true });
});

const body = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));

/** Serves `body` with ranges; `mode` varies the framing. */
function handler(mode: "plain" | "chunked" | "redirect" | "late-body") {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (mode === "redirect" && !req.url?.startsWith("/final")) return void res.writeHead(302, { location: "/final" }).end();
    const [, a, b] = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? "") ?? [];
    const start = Number(a ?? 0);
    const end = Number(b ?? body.length - 1) + 1;
    const headers: Record<string, string> = { "content-range": `bytes ${start}-${end - 1}/${body.length}` };
    if (mode !== "chunked") headers["content-length"] = String(end - start);
    res.writeHead(206, headers);
    if (mode !== "late-body") return void res.end(body.subarray(start, end));
    // The head alone first: the body then arrives after the reader lent its buffer, on any loopback.
    res.flushHeaders();
    setTimeout(() => res.end(body.subarray(start, end)), 100);
  };
}

async function listen<T extends http.Server | https.Server>(server: T): Promise<{ server: T; connections: () => number; port: number }> {
  let count = 0;
  server.on("connection", () => count++);
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, connections: () => count, port: (server.address() as AddressInfo).port };
}

function readAll(res: RawResponse): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve, reject) =>
    res.readBody({ onData: (v) => (parts.push(Buffer.from(v)), true), onEnd: () => resolve(Buffer.concat(parts)), onError: reject }),
  );
}

describe("raw HTTP/1.1 client", () => {
  it("reads ranged bodies and reuses one keep-alive connection", async () => {
    const { connections, port } = await listen(http.createServer(handler("plain")));
    const url = new URL(`http://127.0.0.1:${port}/x`);
    for (const [a, b] of [[0, 99_999], [100_000, 299_999]] as const) {
      const res = await rawGet(url, { headers: { range: `bytes=${a}-${b}` } });
      expect(res.status).toBe(206);
      expect((await readAll(res)).equals(body.subarray(a, b + 1))).toBe(true);
    }
    expect(connections()).toBe(1);
  });

  it("retries on a fresh socket when the pooled one was closed by the server", async () => {
    const plain = handler("plain");
    // Closes every connection after one response, without saying so in the headers.
    const { connections, port } = await listen(
      http.createServer((req, res) => {
        const socket = req.socket;
        res.on("finish", () => socket.end());
        plain(req, res);
      }),
    );
    const url = new URL(`http://127.0.0.1:${port}/x`);
    await readAll(await rawGet(url, { headers: { range: "bytes=0-9" } }));
    for (const wait of [0, 50]) {
      await new Promise((r) => setTimeout(r, wait));
      expect((await readAll(await rawGet(url, { headers: { range: "bytes=10-19" } }))).equals(body.subarray(10, 20))).toBe(true);
    }
    expect(connections()).toBe(3);
  });

  it("reads a body straight into the reader's buffer, and the next response on the socket into its own", async () => {
    const { connections, port } = await listen(http.createServer(handler("late-body")));
    const url = new URL(`http://127.0.0.1:${port}/x`);
    const target = Buffer.alloc(body.length);
    let fill = 0;
    let inPlace = 0;
    const res = await rawGet(url, { headers: { range: `bytes=0-${body.length - 1}` } });
    await new Promise<void>((resolve, reject) =>
      res.readBody({
        readInto: () => target.subarray(fill),
        onData(view) {
          if (view.buffer === target.buffer && view.byteOffset === target.byteOffset + fill) inPlace += view.length;
          else view.copy(target, fill);
          fill += view.length;
          return true;
        },
        onEnd: resolve,
        onError: reject,
      }),
    );
    expect(target.equals(body)).toBe(true);
    expect(inPlace).toBeGreaterThan(0); // only what came with the head needed a copy
    // Lent memory is not read into once the body is over: scribbling on it changes nothing.
    target.fill(0);
    expect((await readAll(await rawGet(url, { headers: { range: "bytes=1000-200999" } }))).equals(body.subarray(1000, 201_000))).toBe(true);
    expect(target.every((b) => b === 0)).toBe(true);
    expect(connections()).toBe(1);
  });

  it("hands chunked bodies and redirects to node:http inside fetchChunk", async () => {
    for (const mode of ["chunked", "redirect"] as const) {
      const { port } = await listen(http.createServer(handler(mode)));
      writeFileSync(join(dir, `${mode}.bin`), "");
      const writer = new FileWriter(join(dir, `${mode}.bin`));
      const chunk = { idx: 0, start: 0, end: body.length, done: 0 };
      await fetchChunk({
        hub: new HubClient({ endpoint: "http://127.0.0.1:1" }),
        url: `http://127.0.0.1:${port}/x`,
        ifRange: null,
        rangeable: true,
        sourceOffset: 0,
        chunk,
        writer,
        throttle: new TokenBucket(0),
        idleTimeoutMs: 2_000,
        signal: new AbortController().signal,
        onWritten: () => undefined,
      });
      await writer.close();
      expect(chunk.done).toBe(body.length);
      expect(readFileSync(join(dir, `${mode}.bin`)).equals(body), mode).toBe(true);
    }
  });

  it("speaks TLS (what the Hub's CDN uses)", async (ctx) => {
    let key: string;
    let cert: string;
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"], { stdio: "pipe" });
      key = readFileSync(join(dir, "k.pem"), "utf8");
      cert = readFileSync(join(dir, "c.pem"), "utf8");
    } catch (error) {
      return ctx.skip(`openssl is not available to make a test certificate: ${String(error)}`);
    }
    const { connections, port } = await listen(https.createServer({ key, cert }, handler("plain")));
    const url = new URL(`https://127.0.0.1:${port}/x`);
    for (const [a, b] of [[0, 149_999], [150_000, 299_999]] as const) {
      const res = await rawGet(url, { headers: { range: `bytes=${a}-${b}` }, ca: cert });
      expect((await readAll(res)).equals(body.subarray(a, b + 1))).toBe(true);
    }
    expect(connections()).toBe(1);
    await expect(rawGet(new URL(`https://127.0.0.1:${port}/y`), { headers: {} }).then(readAll)).resolves.toBeDefined(); // pooled: no new handshake
  });
});
