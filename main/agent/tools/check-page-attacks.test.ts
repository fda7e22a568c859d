import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createSocket } from "node:dgram";
import { existsSync, lstatSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import { join } from "node:path";
import type { Readable, Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { chromiumJail } from "../sandbox/chromium-sandbox";
import { detectSandbox } from "../sandbox/detect";
import { collectPageReport } from "./cdp-page-report";
import { Cdp } from "./cdp-pipe";
import type { PageChecker, PageReport } from "./check-page";
import { CHROMIUM_FLAGS, ChromiumPageChecker, findChromium } from "./chromium-page-checker";
import { createToolContext } from "./context";
import type { ToolContext } from "./context";
import { ElectronPageChecker } from "./electron-page-checker";
import { runToolCall } from "./registry";
import { chromiumBackedWindow } from "./testing/page-doubles";

const chromium = await findChromium();
const bwrap = (await detectSandbox()).kind === "bwrap";
const unshareJail = await chromiumJail({ sandbox: { kind: "none", reason: "testing the unshare jail" } }).catch(() => null);

let root: string;
let ws: string;
let ctx: ToolContext;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "m2d-check-page-attacks-"));
  ws = join(root, "ws");
  mkdirSync(ws);
  ctx = await createToolContext({ workspace: ws, checkpointDir: join(root, "checkpoints"), sandbox: { kind: "none", reason: "not needed here" } });
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

async function checkPage(checker: PageChecker, path: string) {
  const run = await runToolCall({ ...ctx, pageChecker: checker }, { name: "check_page", arguments: { path } }, { mode: "ask" }, async () => {
    throw new Error("check_page is read-only and must never ask");
  });
  return { run, report: (run.result as { data?: PageReport }).data, text: `${run.result.content}\n${JSON.stringify(run.result)}` };
}

/** A UDP and a TCP listener on every host address: whatever reaches either is a leak. */
async function listeners() {
  const received: string[] = [];
  const udp = createSocket("udp4");
  udp.on("message", (message, from) => received.push(`udp ${message.length} bytes from ${from.address}`));
  await new Promise<void>((resolve) => udp.bind(0, "0.0.0.0", resolve));
  const tcp = createServer((socket) => {
    received.push(`tcp from ${socket.remoteAddress ?? "?"}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => tcp.listen(0, "0.0.0.0", resolve));
  return {
    udpPort: udp.address().port,
    tcpPort: (tcp.address() as AddressInfo).port,
    received,
    close: () => {
      udp.close();
      tcp.close();
    },
  };
}

/** 127.0.0.1 and this machine's LAN addresses. */
const HOSTS = ["127.0.0.1", ...Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((a) => a.family === "IPv4" && !a.internal).map((a) => a.address))];

/**
 * Every way out a page has that is not a plain subresource: WebRTC (STUN and TURN servers, a data
 * channel whose remote candidate is the listener), fetch (keepalive too), XHR, WebSocket,
 * EventSource, sendBeacon, <img>, prefetch and DNS prefetch, WebTransport where it exists. The title
 * says the script got to the end, so an empty listener means contained, not "never ran".
 */
function leakyPage(udp: number, tcp: number): string {
  return `<!doctype html><title>pending</title>
${HOSTS.map((h) => `<img src="http://${h}:${tcp}/img"><link rel="prefetch" href="http://${h}:${tcp}/prefetch"><link rel="dns-prefetch" href="//leak-${tcp}.example.com">`).join("\n")}
<script>
const hosts = ${JSON.stringify(HOSTS)};
async function rtc() {
  const iceServers = hosts.flatMap((h) => [
    { urls: "stun:" + h + ":${udp}" },
    { urls: "turn:" + h + ":${udp}?transport=udp", username: "u", credential: "p" },
    { urls: "turn:" + h + ":${tcp}?transport=tcp", username: "u", credential: "p" },
  ]);
  const pc = new RTCPeerConnection({ iceServers, iceCandidatePoolSize: 2 });
  pc.createDataChannel("leak");
  const offer = await pc.createOffer();
  await pc.setLocalDescription(offer);
  const peer = new RTCPeerConnection();
  await peer.setRemoteDescription(offer);
  const answer = await peer.createAnswer();
  await peer.setLocalDescription(answer);
  await pc.setRemoteDescription(answer);
  for (const h of hosts) {
    await pc.addIceCandidate({ candidate: "candidate:1 1 udp 2122260223 " + h + " ${udp} typ host", sdpMid: "0", sdpMLineIndex: 0 });
    await pc.addIceCandidate({ candidate: "candidate:2 1 tcp 1518280447 " + h + " ${tcp} typ host tcptype passive", sdpMid: "0", sdpMLineIndex: 0 });
  }
  await new Promise((resolve) => setTimeout(resolve, 800));
}
for (const h of hosts) {
  const url = "http://" + h + ":${tcp}/";
  fetch(url + "fetch", { mode: "no-cors" }).catch(() => {});
  fetch(url + "keepalive", { method: "POST", body: "x", keepalive: true, mode: "no-cors" }).catch(() => {});
  try { navigator.sendBeacon(url + "beacon", "x"); } catch {}
  try { new WebSocket("ws://" + h + ":${tcp}/ws"); } catch {}
  try { new EventSource(url + "events"); } catch {}
  try { const x = new XMLHttpRequest(); x.open("GET", url + "xhr"); x.send(); } catch {}
  try { if (typeof WebTransport === "function") new WebTransport("https://" + h + ":${udp}/wt").ready.catch(() => {}); } catch {}
}
rtc().then(() => (document.title = "attacked"), (e) => (document.title = "rtc failed: " + e));
</script>`;
}

/** Lets late packets arrive before the listeners are read. */
const drain = () => new Promise((resolve) => setTimeout(resolve, 1000));

describe.skipIf(!chromium)("check_page network attacks (real Chromium)", () => {
  test("control: the same page in a Chromium outside any jail and without the WebRTC policy reaches the UDP listener (the harness sees leaks)", async () => {
    const server = await listeners();
    writeFileSync(join(ws, "leak-control.html"), leakyPage(server.udpPort, server.tcpPort));
    const profile = mkdtempSync(join(root, "profile-"));
    const flags = CHROMIUM_FLAGS.filter((flag) => !flag.includes("webrtc"));
    const browser: ChildProcess = spawn(chromium!, [...flags, `--user-data-dir=${profile}`, "about:blank"], { stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"], detached: true });
    const cdp = new Cdp(browser.stdio[3] as Writable, browser.stdio[4] as Readable);
    try {
      const report = await collectPageReport(await cdp.openPage(), { root: ws, path: "leak-control.html" }, Date.now() + 20_000);
      expect(report.title).toBe("attacked");
      await drain();
      expect(server.received.filter((r) => r.startsWith("udp")).length).toBeGreaterThan(0);
    } finally {
      cdp.close();
      process.kill(-browser.pid!, "SIGKILL");
      server.close();
    }
  }, 60_000);

  const jailed: Array<[string, boolean, () => PageChecker]> = [
    ["in its bubblewrap network namespace", bwrap, () => new ChromiumPageChecker(chromium!)],
    ["in its `unshare -n` network namespace (no bwrap)", unshareJail !== null, () => new ChromiumPageChecker(chromium!, async () => unshareJail!)],
    // Electron's window shares the app's network: only the WebRTC policy, proxy and Fetch gate stand.
    ["through the Electron checker (host network, WebRTC policy and request gate only)", true, () => new ElectronPageChecker(() => chromiumBackedWindow(chromium!, []))],
  ];
  for (const [where, available, checker] of jailed) {
    test.skipIf(!available)(`attack: WebRTC STUN/TURN/data channel, fetch, keepalive, beacon, WebSocket, EventSource, XHR, img, prefetch to host and LAN listeners ${where} → nothing arrives`, async () => {
      const server = await listeners();
      try {
        const name = `leak-${where.length}.html`;
        writeFileSync(join(ws, name), leakyPage(server.udpPort, server.tcpPort));
        const { report, text } = await checkPage(checker(), name);
        expect(report?.title, text).toBe("attacked");
        // The blocked requests are still reported, by URL.
        expect(report!.failedRequests.map((r) => r.url)).toEqual(expect.arrayContaining([`http://127.0.0.1:${server.tcpPort}/img`, `http://127.0.0.1:${server.tcpPort}/fetch`]));
        await drain();
        expect(server.received).toEqual([]);
      } finally {
        server.close();
      }
    }, 60_000);
  }
});

describe("check_page fails closed without a network namespace", () => {
  test("attack: no bubblewrap and no working unshare → check_page is refused with a typed error and no browser starts", async () => {
    const none = { kind: "none", reason: "bubblewrap is not installed" } as const;
    for (const unshare of [null, "/bin/false", join(root, "no-unshare")]) {
      await expect(chromiumJail({ sandbox: none, unshare })).rejects.toMatchObject({ code: "bad_request", details: { reason: "no_network_isolation" } });
    }
    writeFileSync(join(ws, "plain.html"), "<title>plain</title>");
    // "/bin/false" as the browser: had anything been launched, the error would be browser_failed.
    const checker = new ChromiumPageChecker("/bin/false", () => chromiumJail({ sandbox: none, unshare: null }));
    const { run } = await checkPage(checker, "plain.html");
    expect(run.result).toMatchObject({ ok: false, error: { code: "bad_request", details: { reason: "no_network_isolation" } } });
    expect(run.result.content).toContain("network namespace");
  });
});

describe.skipIf(!chromium || !bwrap)("check_page file attacks (real Chromium)", () => {
  test("attack: symlinked subresources, iframes, fetch of file:// and encoded ../ → the outside secret never reaches the page or the report", async () => {
    const outside = join(root, "outside");
    mkdirSync(outside);
    writeFileSync(join(outside, "secret.txt"), "SECRET-OUTSIDE-1");
    writeFileSync(join(outside, "secret.js"), 'document.title += "|SECRET-OUTSIDE-2"; console.error("SECRET-OUTSIDE-2")');
    writeFileSync(join(outside, "secret.html"), "<p>SECRET-OUTSIDE-3</p>");
    mkdirSync(join(ws, "leak"));
    symlinkSync(join(outside, "secret.js"), join(ws, "leak/script.js"));
    symlinkSync("../../outside/secret.txt", join(ws, "leak/data.txt"));
    symlinkSync(outside, join(ws, "leak/dir"));
    writeFileSync(join(ws, "leak/mine.txt"), "mine");
    const sources = ["data.txt", "dir/secret.txt", "dir/secret.html", "../../outside/secret.txt", "%2e%2e/%2e%2e/outside/secret.txt", `file://${outside}/secret.txt`, "/etc/hostname", "mine.txt"];
    writeFileSync(
      join(ws, "leak/page.html"),
      `<!doctype html><title>t</title><script src="script.js"></script><script src="file://${outside}/secret.js"></script>
<iframe id="a" src="dir/secret.html"></iframe><iframe id="b" src="file://${outside}/secret.html"></iframe>
<script>
const read = (url) => fetch(url).then((r) => r.text()).catch((e) => "x");
window.addEventListener("load", async () => {
  const texts = await Promise.all(${JSON.stringify(sources)}.map(read));
  const frames = ["a", "b"].map((id) => { try { return document.getElementById(id).contentDocument.body.innerText; } catch { return "-"; } });
  document.title = texts.concat(frames).join("|");
  console.warn(document.title);
});
</script>`,
    );
    const { report, text } = await checkPage(new ChromiumPageChecker(chromium!), "leak/page.html");
    expect(text).not.toContain("SECRET-OUTSIDE");
    // The page ran to the end, and its own file loaded.
    expect(report!.title.split("|").at(-3)).toBe("mine");
  }, 60_000);

  test("attack: a process flips a workspace folder to a symlink to outside while check_page runs again and again → never the secret; the folder loads once it stays put", async () => {
    const outside = join(root, "outside-race");
    mkdirSync(outside);
    writeFileSync(join(outside, "data.js"), 'document.title += "|SECRET-RACE-JS"');
    writeFileSync(join(outside, "data.txt"), "SECRET-RACE-TXT");
    writeFileSync(join(outside, "frame.html"), "SECRET-RACE-FRAME");
    mkdirSync(join(ws, "race/d.dir"), { recursive: true });
    writeFileSync(join(ws, "race/d.dir/data.js"), 'document.title += "|inside-js"');
    writeFileSync(join(ws, "race/d.dir/data.txt"), "inside-txt");
    writeFileSync(join(ws, "race/d.dir/frame.html"), "inside-frame");
    symlinkSync(outside, join(ws, "race/d.lnk"));
    writeFileSync(
      join(ws, "race/page.html"),
      `<!doctype html><title>run</title>${'<script src="d/data.js"></script>'.repeat(5)}<iframe id="f" src="d/frame.html"></iframe>
<script>
window.addEventListener("load", async () => {
  const texts = await Promise.all(Array.from({ length: 10 }, () => fetch("d/data.txt").then((r) => r.text()).catch(() => "x")));
  let frame = "-"; try { frame = document.getElementById("f").contentDocument.body.innerText; } catch {}
  document.title += "|" + texts.join("|") + "|" + frame;
  console.warn(document.title);
});
</script>`,
    );
    const flipper = spawn(process.execPath, [
      "-e",
      `const fs = require("fs"); process.chdir(process.argv[1]); let n = 0; const end = Date.now() + 20000;
       while (Date.now() < end) { fs.renameSync("d.dir", "d"); fs.renameSync("d", "d.dir"); fs.renameSync("d.lnk", "d"); fs.renameSync("d", "d.lnk"); n++; }`,
      join(ws, "race"),
    ]);
    const titles: string[] = [];
    try {
      const until = Date.now() + 12_000;
      while (Date.now() < until) {
        const { report, text } = await checkPage(new ChromiumPageChecker(chromium!), "race/page.html");
        expect(text).not.toContain("SECRET-RACE");
        titles.push(report?.title ?? "");
      }
    } finally {
      flipper.kill("SIGKILL");
      await new Promise((resolve) => flipper.once("exit", resolve));
    }
    expect(titles.length).toBeGreaterThan(1);
    expect(titles.join("\n")).not.toContain("SECRET");
    // Legitimate use once nothing moves: the folder's files load.
    const d = join(ws, "race/d");
    if (existsSync(d) && lstatSync(d).isSymbolicLink()) renameSync(d, join(ws, "race/d.lnk"));
    if (!existsSync(d)) renameSync(join(ws, "race/d.dir"), d);
    const { report } = await checkPage(new ChromiumPageChecker(chromium!), "race/page.html");
    expect(report!.title).toBe(`run${"|inside-js".repeat(5)}|${Array(10).fill("inside-txt").join("|")}|inside-frame`);
  }, 60_000);
});
