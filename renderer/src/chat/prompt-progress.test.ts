import { describe, expect, it } from "vitest";
import { applyEvents, newLiveAnswer, promptProgressLabel } from "./live-answer";

describe("promptProgressLabel", () => {
  it("says how much of the prompt is evaluated, from the engine's latest prompt_progress", () => {
    let answer = applyEvents(newLiveAnswer("g", 0), [{ type: "prompt_progress", evaluated: 0, total: 5400 }], 1);
    expect(promptProgressLabel(answer)).toBe("Processing prompt 0 / 5,400");
    answer = applyEvents(answer, [{ type: "prompt_progress", evaluated: 512, total: 5400 }, { type: "prompt_progress", evaluated: 1240, total: 5400 }], 2);
    expect(promptProgressLabel(answer)).toBe("Processing prompt 1,240 / 5,400");
  });

  it("is gone once the first token arrives, or the answer ends (stopped during prompt processing)", () => {
    const processing = applyEvents(newLiveAnswer("g", 0), [{ type: "prompt_progress", evaluated: 1024, total: 5400 }], 1);
    expect(promptProgressLabel(applyEvents(processing, [{ type: "reasoning_delta", text: "Hm" }], 2))).toBeNull();
    expect(promptProgressLabel(applyEvents(processing, [{ type: "done", finish_reason: "abort" }], 2))).toBeNull();
    expect(promptProgressLabel(newLiveAnswer("g", 0))).toBeNull();
    expect(promptProgressLabel(undefined)).toBeNull();
  });
});
