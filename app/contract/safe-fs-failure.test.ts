import { describe, expect, it } from "vitest";
import { safeFsFailureDetails, SafeFsReasonSchema } from "./safe-fs-failure";

describe("workspace file-system failures in the contract", () => {
  it.each(SafeFsReasonSchema.options)("%s round-trips, with and without an errno", (reason) => {
    for (const details of [{ reason, path: "src/a.ts" }, { reason, path: "src/a.ts", errno: "ELOOP" }]) {
      expect(safeFsFailureDetails({ details: JSON.parse(JSON.stringify(details)) })).toEqual(details);
    }
  });

  it("refuses an unknown reason, a missing path and another family's fields", () => {
    expect(safeFsFailureDetails({ details: { reason: "vanished", path: "a" } })).toBeUndefined();
    expect(safeFsFailureDetails({ details: { reason: "not_found" } })).toBeUndefined();
    expect(safeFsFailureDetails({ details: { reason: "not_found", path: "a", repo: "o/r" } })).toBeUndefined();
  });
});
