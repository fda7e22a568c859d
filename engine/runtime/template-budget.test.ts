import { Template } from "@huggingface/jinja";
import { describe, expect, it } from "vitest";
import { DEFAULT_TEMPLATE_BUDGET, renderWithinBudget, templateBudgetFromEnv } from "./template-budget";
import { officialM2Template } from "./official-template";

const budget = (overrides: Partial<typeof DEFAULT_TEMPLATE_BUDGET>) => ({ ...DEFAULT_TEMPLATE_BUDGET, ...overrides });
const refusal = (limit: string) => ({ code: "bad_request", details: { reason: "template_budget", limit } });

function render(source: string, limits: Partial<typeof DEFAULT_TEMPLATE_BUDGET> = {}): string {
  return renderWithinBudget(new Template(source), { messages: [] }, budget(limits));
}

describe("chat template budget", () => {
  it("stops loops that would spin for hours: by time, and by step count", () => {
    const spin = "{% for i in range(100000) %}{% for j in range(100000) %}{{ '' }}{% endfor %}{% endfor %}";
    const started = performance.now();
    expect(() => render(spin, { timeMs: 300, steps: Number.MAX_SAFE_INTEGER })).toThrow(expect.objectContaining(refusal("time")));
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(() => render(spin, { steps: 10_000 })).toThrow(expect.objectContaining(refusal("steps")));
  });

  it("refuses range(10**9) before building it, and strings or lists that double past the limit", () => {
    expect(() => render("{% for i in range(1000000000) %}x{% endfor %}")).toThrow(expect.objectContaining(refusal("items")));
    expect(() => render("{% for i in range(1, 1000000000, 1) %}x{% endfor %}")).toThrow(expect.objectContaining(refusal("items")));
    const doubling = "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s | length }}";
    expect(() => render(doubling, { chars: 1_000_000 })).toThrow(expect.objectContaining(refusal("output")));
    const lists = "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l | length }}";
    expect(() => render(lists, { items: 100_000 })).toThrow(expect.objectContaining(refusal("items")));
  });

  it("renders ordinary templates exactly as the library does, and again after a refusal", () => {
    const messages = Array.from({ length: 200 }, (_, i) => ({ role: i % 2 ? "assistant" : "user", content: `Message ${i} `.repeat(20) }));
    const official = new Template(officialM2Template());
    const context = { messages, add_generation_prompt: true };
    expect(() => render("{% for i in range(1000000000) %}{% endfor %}")).toThrow();
    expect(renderWithinBudget(official, context, DEFAULT_TEMPLATE_BUDGET)).toBe(official.render(context));
    expect(render("{% for i in range(3) %}{{ i }}{% endfor %}")).toBe("012");
    // Outside a budgeted render the library is untouched.
    expect(new Template("{{ range(5) | length }}").render({})).toBe("5");
  });

  it("takes its time limit from M2D_TEMPLATE_BUDGET_MS, ignoring junk", () => {
    expect(templateBudgetFromEnv({ M2D_TEMPLATE_BUDGET_MS: "60000" }).timeMs).toBe(60_000);
    expect(templateBudgetFromEnv({ M2D_TEMPLATE_BUDGET_MS: "soon" })).toEqual(DEFAULT_TEMPLATE_BUDGET);
    expect(templateBudgetFromEnv({})).toEqual(DEFAULT_TEMPLATE_BUDGET);
  });
});
