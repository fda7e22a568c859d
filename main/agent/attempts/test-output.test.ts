import { describe, expect, it } from "vitest";
import { MAX_TEST_NAMES, parseTestOutput } from "./test-output";

describe("parseTestOutput", () => {
  it.each([
    {
      name: "TAP from node --test (subtests counted once, at the outer level; skips left out)",
      output: "TAP version 13\n# Subtest: adds\n    ok 1 - inner\nok 1 - adds\nnot ok 2 - subtracts\n  ---\nok 3 - later # SKIP not yet\n1..3\n# pass 1\n# fail 1\n",
      expected: { passed: 1, failed: 1, tests: [{ name: "adds", ok: true }, { name: "subtracts", ok: false }] },
    },
    {
      name: "pytest -rA: named results and the summary's counts",
      output: "..F\n=========================== short test summary info ============================\nPASSED tests/test_a.py::test_one\nPASSED tests/test_a.py::test_two\nFAILED tests/test_a.py::test_three - assert 1 == 2\n========================= 1 failed, 2 passed in 0.05s =========================\n",
      expected: { passed: 2, failed: 1, tests: [{ name: "tests/test_a.py::test_one", ok: true }, { name: "tests/test_a.py::test_two", ok: true }, { name: "tests/test_a.py::test_three", ok: false }] },
    },
    {
      name: "pytest -q: only the summary line",
      output: "....\n4 passed in 0.01s\n",
      expected: { passed: 4, failed: 0, tests: [] },
    },
    {
      name: "Jest summary",
      output: "PASS src/a.test.js\n  ✓ works (3 ms)\n  ✕ breaks (1 ms)\nTests:       1 failed, 1 passed, 2 total\n",
      expected: { passed: 1, failed: 1, tests: [{ name: "works", ok: true }, { name: "breaks", ok: false }] },
    },
    {
      name: "Vitest summary with colour codes",
      output: "\u001b[2m      Tests \u001b[22m \u001b[1m\u001b[31m2 failed\u001b[39m\u001b[22m\u001b[2m | \u001b[22m\u001b[1m\u001b[32m5 passed\u001b[39m (7)\n",
      expected: { passed: 5, failed: 2, tests: [] },
    },
    {
      name: "cargo test (unit and integration summed)",
      output: "running 2 tests\ntest tests::a ... ok\ntest tests::b ... FAILED\n\ntest result: FAILED. 1 passed; 1 failed\nrunning 1 test\ntest it_works ... ok\n",
      expected: { passed: 2, failed: 1, tests: [{ name: "tests::a", ok: true }, { name: "tests::b", ok: false }, { name: "it_works", ok: true }] },
    },
    {
      name: "go test -v (subtests left to their parent)",
      output: "=== RUN   TestA\n--- PASS: TestA (0.00s)\n=== RUN   TestB\n    --- FAIL: TestB/sub (0.00s)\n--- FAIL: TestB (0.00s)\nFAIL\n",
      expected: { passed: 1, failed: 1, tests: [{ name: "TestA", ok: true }, { name: "TestB", ok: false }] },
    },
  ])("$name", ({ output, expected }) => {
    expect(parseTestOutput(output)).toEqual(expected);
  });

  it("unknown output is not guessed at", () => {
    expect(parseTestOutput("all good\n")).toBeNull();
    expect(parseTestOutput("")).toBeNull();
  });

  it("keeps at most MAX_TEST_NAMES names, but counts every test", () => {
    const output = Array.from({ length: MAX_TEST_NAMES + 50 }, (_, i) => `ok ${i + 1} - t${i}`).join("\n");
    const parsed = parseTestOutput(output)!;
    expect(parsed.tests).toHaveLength(MAX_TEST_NAMES);
    expect(parsed.passed).toBe(MAX_TEST_NAMES + 50);
  });
});
