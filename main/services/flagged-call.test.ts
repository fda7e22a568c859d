import { describe, expect, it } from "vitest";
import { flaggedCallRun } from "./flagged-call";

// What the model reads back for a call the parser flagged (never run).

describe("flaggedCallRun", () => {
  it("an unknown parameter (M3's parser) tells the model to send only the declared ones; the call is not run", () => {
    const call = { id: "c1", name: "get_weather", arguments: { city: "Paris", country: "FR" } };
    const run = flaggedCallRun(call, { code: "unknown_parameter", message: 'unknown parameter "country" for tool "get_weather"' }, ["get_weather"]);
    expect(run.approved).toBe(false);
    expect(run.result).toMatchObject({ ok: false, error: { code: "bad_request", details: { reason: "flagged_tool_call", parseError: "unknown_parameter" } } });
    expect(run.result.content).toBe(
      'Error: Your call to get_weather was not run: unknown parameter "country" for tool "get_weather". Send the call again with only the parameters the tool\'s schema declares.',
    );
  });

  it("an unknown tool lists the tools there are", () => {
    const run = flaggedCallRun({ id: "c2", name: "fly", arguments: {} }, { code: "unknown_tool", message: 'no tool "fly"' }, ["read_file", "list_files"]);
    expect(run.result.content).toBe('Error: Your call to fly was not run: no tool "fly". The tools are: read_file, list_files.');
  });
});
