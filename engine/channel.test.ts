import { describe, expect, it } from "vitest";
import type { FromEngineMessage } from "../app/contract";
import { checkedSender } from "./channel";

/** Serializes as process.send does: JSON, recursively. */
function jsonTransport(sent: unknown[]) {
  return (message: FromEngineMessage) => void sent.push(JSON.parse(JSON.stringify(message)));
}

const deep = (): unknown => JSON.parse(`${"[".repeat(10_000)}${"]".repeat(10_000)}`);

describe("checkedSender", () => {
  it("a reply too deep to serialize still answers its call, as a typed error", () => {
    const sent: unknown[] = [];
    checkedSender(jsonTransport(sent))({ type: "reply", id: 7, outcome: { ok: true, result: { v: deep() } } });
    expect(sent).toEqual([
      { type: "reply", id: 7, outcome: { ok: false, error: { code: "internal", message: expect.stringMatching(/^The engine could not send its reply: Maximum call stack/) } } },
    ]);
  });

  it("other messages rethrow to their sender; valid ones go through as they are", () => {
    const sent: unknown[] = [];
    const send = checkedSender(jsonTransport(sent));
    const event: FromEngineMessage = {
      type: "event",
      event: { kind: "generation", generationId: "g", event: { type: "tool_call_completed", index: 0, name: "f", arguments: { v: deep() } } },
    };
    expect(() => send(event)).toThrow(RangeError);
    send({ type: "log", level: "info", message: "hi" });
    expect(sent).toEqual([{ type: "log", level: "info", message: "hi" }]);
    expect(() => send({ type: "log", level: "loud", message: "x" } as unknown as FromEngineMessage)).toThrow();
  });
});
