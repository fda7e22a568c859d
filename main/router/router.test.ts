import { describe, expect, it } from "vitest";
import { methodNames } from "../../app/contract";
import { createRouter, type Handlers } from "./router";

const health = {
  version: "1.0.0",
  uptimeMs: 1,
  dataDir: "/tmp/x",
  database: { path: "/tmp/x/db", schemaVersion: 1 },
  engine: { state: "ready" as const, pid: 1, restarts: 0, lastExit: null },
};

const unused = Object.fromEntries(
  methodNames.map((name) => [name, async () => { throw new Error(`${name} is not used by this test`); }]),
) as unknown as Handlers;

function router(overrides: Partial<Handlers> = {}) {
  return createRouter({
    ...unused,
    "health.get": async () => health,
    "engine.echo": async ({ text }) => ({ text, pid: 42 }),
    ...overrides,
  });
}

const ctx = { transport: "websocket" as const };

describe("router", () => {
  it("dispatches a valid call and returns its validated result", async () => {
    expect(await router()("engine.echo", { text: "hi" }, ctx)).toEqual({ ok: true, result: { text: "hi", pid: 42 } });
  });

  it("rejects unknown methods, including prototype keys, as data", async () => {
    for (const method of ["nope", "__proto__", "toString", 7, null]) {
      const outcome = await router()(method, {}, ctx);
      expect(outcome).toMatchObject({ ok: false, error: { code: "unknown_method" } });
    }
  });

  it("rejects params that break the contract, with the zod issues as details", async () => {
    const outcome = await router()("engine.echo", { text: 5 }, ctx);
    expect(outcome.ok).toBe(false);
    if (outcome.ok) return;
    expect(outcome.error.code).toBe("bad_request");
    expect(outcome.error.details).toMatchObject({ issues: [expect.objectContaining({ path: ["text"] })] });
  });

  it("rejects extra keys on strict params", async () => {
    expect(await router()("health.get", { sneaky: true }, ctx)).toMatchObject({ ok: false, error: { code: "bad_request" } });
  });

  it("turns a thrown error into {code, message}", async () => {
    const outcome = await router({ "health.get": async () => { throw new Error("disk on fire"); } })("health.get", {}, ctx);
    expect(outcome).toEqual({ ok: false, error: { code: "internal", message: "disk on fire" } });
  });

  it("refuses to send a handler result that breaks the contract", async () => {
    const broken = router({ "engine.echo": async () => ({ text: 1 }) as never });
    expect(await broken("engine.echo", { text: "x" }, ctx)).toMatchObject({ ok: false, error: { code: "internal" } });
  });
});
