import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openDatabase, type Db } from "../storage/database";
import { DEFAULT_WORKSPACE_SETTINGS, WorkspaceSettingsStore } from "./workspace-settings";

let t: { db: Db; dir: string };
afterEach(() => {
  t.db.close();
  rmSync(t.dir, { recursive: true, force: true });
});

function store() {
  const dir = mkdtempSync(join(tmpdir(), "m2d-ws-settings-"));
  t = { dir, db: openDatabase({ path: join(dir, "app.sqlite") }) };
  return new WorkspaceSettingsStore(t.db);
}

describe("per-workspace agent settings", () => {
  it("start with everything risky off, and are kept per workspace", () => {
    const s = store();
    expect(s.get("/w/a")).toEqual({
      mode: "ask", allowedTools: [], allowedCommands: [], network: false, allowUnsandboxed: false, fetch: { enabled: false, allowedHosts: [] },
      compactAt: 0.8, testCommand: null,
    });
    s.update("/w/a", { mode: "auto_edit", fetch: { enabled: true } });
    s.update("/w/a", { fetch: { allowedHosts: ["docs.python.org"] } });
    expect(s.get("/w/a")).toMatchObject({ mode: "auto_edit", fetch: { enabled: true, allowedHosts: ["docs.python.org"] } });
    expect(s.get("/w/b")).toEqual(DEFAULT_WORKSPACE_SETTINGS);
  });

  it("always-allowing saves exactly the given entries, once each; text that is not an entry is refused", () => {
    const s = store();
    s.allowCommands("/w", ["npm test", "npm run lint", "tee out.txt"]);
    s.allowCommands("/w", ["npm test", "rm -rf glob:*"]);
    expect(s.get("/w").allowedCommands).toEqual(["npm test", "npm run lint", "tee out.txt", "rm -rf glob:*"]);
    for (const bad of [["*"], ["echo 'unclosed"], ["npm * test"], ["glob:* x"], [], ["npm run *"]]) {
      expect(() => s.allowCommands("/w", bad)).toThrow(expect.objectContaining({ code: "bad_request" }));
    }
    expect(s.get("/w").allowedCommands).toHaveLength(4);
    expect(s.allowTool("/w", "write_file").allowedTools).toEqual(["write_file"]);
    expect(s.allowTool("/w", "write_file").allowedTools).toEqual(["write_file"]);
    expect(s.allowTool("/w", "mcp__gh__create_issue").allowedTools).toEqual(["write_file", "mcp__gh__create_issue"]);
    expect(() => s.update("/w", { allowedTools: ["mcp__gh__bad name" as "mcp__x"] })).toThrow();
  });

  it("compaction is a share of the context per workspace, or off; a share out of range is refused and nothing is saved", () => {
    const s = store();
    expect(s.update("/w", { compactAt: 0.6 }).compactAt).toBe(0.6);
    expect(s.update("/w", { compactAt: null }).compactAt).toBeNull();
    expect(s.get("/w").compactAt).toBeNull();
    for (const bad of [0, 1, 1.5, 0.1]) expect(() => s.update("/w", { compactAt: bad })).toThrow();
    expect(s.get("/w").compactAt).toBeNull();
    // A row saved before the setting existed gets the default.
    t.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 1)").run("agent.workspace:/old", '{"mode":"auto_edit"}');
    expect(s.get("/old")).toMatchObject({ mode: "auto_edit", compactAt: 0.8 });
  });

  it("best-of-N's test command is saved per workspace, trimmed; blank or oversized text is refused and nothing is saved", () => {
    const s = store();
    expect(s.update("/w", { testCommand: "  npm test -- --run  " }).testCommand).toBe("npm test -- --run");
    for (const bad of ["", "   ", "x".repeat(1001)]) expect(() => s.update("/w", { testCommand: bad })).toThrow();
    expect(s.get("/w").testCommand).toBe("npm test -- --run");
    expect(s.get("/other").testCommand).toBeNull();
    expect(s.update("/w", { testCommand: null }).testCommand).toBeNull();
  });

  it("a corrupt stored row falls back to the defaults, never to something more permissive", () => {
    const s = store();
    t.db.prepare("INSERT INTO settings (key, value, updated_at) VALUES (?, ?, 1)").run("agent.workspace:/w", '{"mode":"full_auto","network":"yes"}');
    expect(s.get("/w")).toEqual(DEFAULT_WORKSPACE_SETTINGS);
    t.db.prepare("UPDATE settings SET value = 'not json' WHERE key = ?").run("agent.workspace:/w");
    expect(s.get("/w")).toEqual(DEFAULT_WORKSPACE_SETTINGS);
  });
});
