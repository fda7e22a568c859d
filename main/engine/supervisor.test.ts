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

function supervise(env: Record<string, string> = {}) {
  const statuses: EngineStatus[] = [];
  const supervisor = new EngineSupervisor({
    spawn: forkSpawner(fixture, { ...process.env, ...env }),
    onStatus: (s) => statuses.push(s),
    restartDelayMs: 20,
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

  it("drops malformed messages from the engine and rejects malformed results", async () => {
    const { supervisor } = supervise();
    await expect(supervisor.request({ op: "echo", text: "malformed-result" })).rejects.toMatchObject({ code: "internal" });
    expect((await supervisor.request({ op: "echo", text: "after" })).text).toBe("after");
  });

  it("times out a request the engine never answers", async () => {
    const { supervisor } = supervise();
    await expect(supervisor.request({ op: "echo", text: "hang" }, { timeoutMs: 100 })).rejects.toMatchObject({ code: "engine_unavailable" });
  });
});
