import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import type { EngineStatus } from "../../app/contract";
import { forkSpawner } from "./fork-spawner";
import { EngineSupervisor } from "./supervisor";

// A stand-in engine speaking the real protocol: the supervisor meets real processes, signals and IPC,
// without llama.cpp. The real engine process is covered by the e2e suite.
const fixture = join(import.meta.dirname, "fixtures", "fake-engine.mjs");

const supervisors: EngineSupervisor[] = [];
afterEach(async () => {
  await Promise.all(supervisors.splice(0).map((s) => s.stop()));
});

function supervise(env: Record<string, string> = {}, heartbeatTimeoutMs?: number) {
  const statuses: EngineStatus[] = [];
  const supervisor = new EngineSupervisor({
    spawn: forkSpawner(fixture, { ...process.env, ...env }),
    onStatus: (s) => statuses.push(s),
    restartDelayMs: 20,
    ...(heartbeatTimeoutMs !== undefined ? { heartbeatTimeoutMs } : {}),
  });
  supervisors.push(supervisor);
  supervisor.start();
  return { supervisor, statuses };
}

async function until(check: () => boolean, timeoutMs = 5_000) {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("EngineSupervisor (real child processes)", () => {
  it("waits for ready, then routes a request and its reply", async () => {
    const { supervisor } = supervise();
    const reply = await supervisor.request({ op: "echo", text: "ping" });
    expect(reply.text).toBe("ping");
    expect(reply.pid).toBe(supervisor.getStatus().pid);
    expect(supervisor.getStatus().state).toBe("ready");
  });

  it("fails the in-flight request with engine_crashed when the child is SIGKILLed, then restarts it", async () => {
    const { supervisor, statuses } = supervise();
    const first = await supervisor.request({ op: "ping" });
    const inFlight = supervisor.request({ op: "echo", text: "hang" }); // the fixture never answers "hang"
    await new Promise((r) => setTimeout(r, 50));
    process.kill(first.pid, "SIGKILL");
    await expect(inFlight).rejects.toMatchObject({ code: "engine_crashed" });
    await until(() => supervisor.getStatus().state === "ready" && supervisor.getStatus().restarts === 1);
    const second = await supervisor.request({ op: "ping" });
    expect(second.pid).not.toBe(first.pid);
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(["starting", "ready", "crashed"]));
    expect(supervisor.getStatus().lastExit).toMatchObject({ signal: "SIGKILL" });
  });

  it("an engine that aborts says why: the engine_crashed error carries its last stderr lines", async () => {
    const { supervisor } = supervise();
    const error = await supervisor.request({ op: "echo", text: "die-loudly" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "engine_crashed", details: { code: 134 } });
    const stderr = (error as { details: { stderr: string[] } }).details.stderr;
    expect(stderr).toContain("ggml/src/ggml.c:1234: GGML_ASSERT(n_expert_used > 0) failed");
    expect(stderr.join("\n")).not.toContain("hf_abcdefghijklmnopqrstuvwxyz");
    // The restarted engine starts with a clean slate.
    await until(() => supervisor.getStatus().state === "ready");
    const next = supervisor.request({ op: "echo", text: "hang" });
    process.kill(supervisor.getStatus().pid!, "SIGKILL");
    expect(await next.catch((e: { details: { stderr: string[] } }) => e.details.stderr)).toEqual([]);
  });

  it("drops malformed messages from the engine and rejects malformed results", async () => {
    const { supervisor } = supervise();
    await expect(supervisor.request({ op: "echo", text: "malformed-result" })).rejects.toMatchObject({ code: "internal" });
    expect((await supervisor.request({ op: "echo", text: "after" })).text).toBe("after");
  });

  it("watchdog: a busy engine whose main thread stops (no heartbeat) is killed with a typed reason and restarted", async () => {
    const { supervisor } = supervise({ FAKE_ENGINE_HEARTBEAT_MS: "50" }, 400);
    const first = await supervisor.request({ op: "ping" });
    const wedged = supervisor.request({ op: "echo", text: "spin" });
    await expect(wedged).rejects.toMatchObject({
      code: "engine_crashed",
      message: expect.stringContaining("stopped responding"),
      details: { reason: "engine_unresponsive", ops: ["echo"] },
    });
    expect(supervisor.getStatus().lastExit).toMatchObject({ signal: "SIGKILL", reason: "engine_unresponsive" });
    await until(() => supervisor.getStatus().state === "ready");
    const after = await supervisor.request({ op: "echo", text: "after" });
    expect(after.pid).not.toBe(first.pid);
  });

  it("watchdog: a slow request from an engine that still sends heartbeats is left alone; an ordinary exit is engine_exited", async () => {
    const { supervisor } = supervise({ FAKE_ENGINE_HEARTBEAT_MS: "50" }, 400);
    const { pid } = await supervisor.request({ op: "ping" });
    const slow = supervisor.request({ op: "echo", text: "hang" });
    await new Promise((r) => setTimeout(r, 1_200));
    expect(supervisor.getStatus()).toMatchObject({ state: "ready", pid, restarts: 0 });
    process.kill(pid, "SIGKILL");
    await expect(slow).rejects.toMatchObject({ code: "engine_crashed", details: { reason: "engine_exited" } });
    expect(supervisor.getStatus().lastExit).toMatchObject({ reason: "engine_exited" });
  });

  it("watchdog: a backend whose own loop stalls past the limit does not kill an engine whose heartbeats wait unread", async () => {
    const { supervisor } = supervise({ FAKE_ENGINE_HEARTBEAT_MS: "50" }, 400);
    const { pid } = await supervisor.request({ op: "ping" });
    const slow = supervisor.request({ op: "echo", text: "hang" });
    slow.catch(() => undefined);
    // Block this process (the backend) in a timer, so the watchdog's timer runs before the queued heartbeats.
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1_200);
        resolve();
      }, 0),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(supervisor.getStatus()).toMatchObject({ state: "ready", pid, restarts: 0 });
  });

  it("times out a request the engine never answers", async () => {
    const { supervisor } = supervise();
    await expect(supervisor.request({ op: "echo", text: "hang" }, { timeoutMs: 100 })).rejects.toMatchObject({ code: "engine_unavailable" });
  });
});
