import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { AppEvent } from "../../app/contract";
import { openTestDb, tempDir } from "../downloads/testing/harness";
import { forkSpawner } from "../engine/fork-spawner";
import { EngineSupervisor } from "../engine/supervisor";
import type { Db } from "../storage/database";
import { LoadFailures } from "./load-failures";
import { ModelService } from "./model-service";

// A stand-in engine speaking the real protocol in a real child process (llama.cpp's abort is what it imitates:
// stderr's assert line, then exit 134), with the real settings table in SQLite.
const fixture = join(import.meta.dirname, "..", "engine", "fixtures", "fake-engine.mjs");

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function setup(dir = tempDir("m2d-loadfail-")): { models: ModelService; events: AppEvent[]; db: Db; dir: typeof dir } {
  const db = openTestDb(join(dir.path, "db.sqlite"));
  const events: AppEvent[] = [];
  const services: { models?: ModelService } = {};
  const engine = new EngineSupervisor({
    spawn: forkSpawner(fixture, process.env),
    restartDelayMs: 20,
    onStatus: (status) => status.state === "crashed" && services.models?.onEngineLost(status.lastExit?.reason ?? "engine_exited"),
  });
  services.models = new ModelService(engine, (e) => events.push(e), new LoadFailures(db));
  engine.start();
  cleanups.push(() => dir.remove(), () => db.close(), () => engine.stop());
  return { models: services.models, events, db, dir };
}

describe("a load that takes the engine down", () => {
  it("is recorded with llama.cpp's reason, kept across restarts, and nothing claims to reload it", async () => {
    const { models, events, db } = setup();
    const path = "/models/aborts-on-load.gguf";
    await expect(models.load(path)).rejects.toMatchObject({ code: "engine_crashed" });

    const [failure] = models.loadFailures();
    expect(failure).toMatchObject({ path, reason: "llama.cpp/src/llama-model.cpp:4242: GGML_ASSERT(hparams.n_expert_used <= hparams.n_expert) failed" });
    const last = events.findLast((e) => e.type === "model.status");
    // Not "lost in a crash": the next message must not reload what just crashed the engine.
    expect(last).toMatchObject({ loaded: null, loadingPath: null, lostInCrash: false });
    await expect(models.ensureLoaded()).rejects.toMatchObject({ code: "model_not_loaded" });

    // Persisted: a new service on the same database still knows.
    expect(new LoadFailures(db).list()).toEqual([failure]);
    new LoadFailures(db).clear(path);
    expect(new LoadFailures(db).list()).toEqual([]);
  });

  it("only crashes are recorded: an ordinary load error is the load's own answer", () => {
    const { db } = setup();
    const failures = new LoadFailures(db);
    failures.record("/m/a.gguf", new Error("nope"));
    expect(failures.list()).toEqual([]);
  });
});
